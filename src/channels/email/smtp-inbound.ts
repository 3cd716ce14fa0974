import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Deps } from '../../core/ports.js';
import { maskEmail } from '../../logger.js';
import { receiveEmail } from './receive-email.js';
import type { ThreadSigner } from './threading.js';

type SmtpError = Error & { responseCode: number };
const smtpError = (code: number, text: string): SmtpError => Object.assign(new Error(text), { responseCode: code });

/**
 * The built-in inbound SMTP server (contract: SMTP on INBOUND_SMTP_PORT).
 * Accepts mail for INBOUND_EMAIL_DOMAIN only (550 at RCPT otherwise),
 * advertises SIZE and answers 552 beyond it, and only says 250 once the
 * message is stored, so a sending MTA retries after a 451 if we could not.
 * No AUTH (this is an MX, not a relay) and no STARTTLS (put it behind your
 * provider's forwarding or a TLS-terminating relay; see docs/email.md).
 */
export async function startInboundSmtp(deps: Deps, signer: ThreadSigner): Promise<{ stop(): Promise<void>; port: number }> {
  const domain = deps.config.mail.inboundDomain!;
  const maxBytes = deps.config.mail.maxInboundBytes;

  const server = new SMTPServer({
    banner: 'Switchboard inbound mail',
    size: maxBytes,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    // On shutdown, give sessions in progress a moment, then cut them (the sender retries).
    closeTimeout: 5_000,
    onRcptTo(address, _session, callback) {
      const rcpt = address.address.toLowerCase();
      if (rcpt.slice(rcpt.lastIndexOf('@') + 1) !== domain) {
        callback(smtpError(550, `5.1.1 <${rcpt}>: we only accept mail for @${domain}`));
        return;
      }
      callback();
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // Stop buffering once over the limit; the stream is still drained.
        if (size <= maxBytes) chunks.push(chunk);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded || size > maxBytes) {
          deps.log.info({ size }, 'inbound mail refused: too large');
          callback(smtpError(552, `5.3.4 message exceeds the ${maxBytes} byte limit`));
          return;
        }
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const recipient = session.envelope.rcptTo[0].address.toLowerCase();
        receiveEmail(deps, Buffer.concat(chunks, size), { recipient, mailFrom }, signer).then(
          // The same answer for a redelivery as for the first delivery.
          () => callback(null, 'Message accepted'),
          (err: unknown) => {
            deps.log.error({ err, to: maskEmail(recipient) }, 'inbound mail could not be stored');
            callback(smtpError(451, '4.3.0 temporary failure, try again later'));
          },
        );
      });
    },
  });
  server.on('error', (err) => deps.log.warn({ err: err.message }, 'inbound SMTP error'));

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.server.once('error', onError);
    server.listen(deps.config.mail.inboundPort, () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : deps.config.mail.inboundPort;
  deps.log.info({ port, domain }, 'inbound SMTP listening');
  return {
    port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
