import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import type { DNSResolver } from 'mailauth';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Deps } from '../../core/ports.js';
import { sweepAbandonedFiles } from '../../core/files/file-store.js';
import { maskEmail } from '../../logger.js';
import { prepareSpool, removeSpooled, spoolMail } from './mail-spool.js';
import { receiveEmail } from './receive-email.js';
import { authenticateSender } from './sender-auth.js';
import { smtpRateLimiter } from './smtp-rate-limit.js';
import type { ThreadSigner } from './threading.js';

type SmtpError = Error & { responseCode: number };
const smtpError = (code: number, text: string): SmtpError => Object.assign(new Error(text), { responseCode: code });

/**
 * The built-in inbound SMTP server (contract: SMTP on INBOUND_SMTP_PORT).
 * Accepts mail for INBOUND_EMAIL_DOMAIN only (550 at RCPT otherwise),
 * advertises SIZE and answers 552 beyond it, and only says 250 once the
 * message is stored, so a sending MTA retries after a 451 if we could not.
 * No AUTH (this is an MX, not a relay); STARTTLS when INBOUND_SMTP_TLS_CERT/KEY are set.
 * At most INBOUND_SMTP_MAX_CLIENTS sessions at once (421 beyond), and per-sender and
 * per-client hourly limits shared through Redis (450 beyond). Each mail's sender is
 * authenticated (SPF, DKIM, DMARC, or the trusted relay's verdict) before it is stored.
 * A mail is spooled to disk as it arrives and its attachments streamed into Postgres, so a
 * session holds a few hundred KB of memory whatever the size of its mail.
 */
export async function startInboundSmtp(
  deps: Deps,
  signer: ThreadSigner,
  opts: { redis: Redis; resolver?: DNSResolver },
): Promise<{ stop(): Promise<void>; port: number }> {
  const mail = deps.config.mail;
  const domain = mail.inboundDomain!;
  const maxBytes = mail.maxInboundBytes;
  const limiter = smtpRateLimiter(opts.redis, deps.config.redisPrefix, mail.rateLimits, (err) =>
    deps.log.warn({ err }, 'SMTP rate limit unavailable: mail admitted'),
  );

  await prepareSpool();
  // Files of mails whose storing a crash interrupted (the senders deliver those mails again).
  const sweep = () => sweepAbandonedFiles(deps.db).catch((err: unknown) => deps.log.warn({ err }, 'abandoned inbound files not swept'));
  await sweep();
  const sweeper = setInterval(() => void sweep(), 60 * 60 * 1000).unref();

  const server = new SMTPServer({
    banner: 'Switchboard inbound mail',
    size: maxBytes,
    maxClients: mail.maxClients,
    authOptional: true,
    disabledCommands: mail.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'],
    ...(mail.tls ? { key: readFileSync(mail.tls.keyFile), cert: readFileSync(mail.tls.certFile) } : {}),
    logger: false,
    // On shutdown, give sessions in progress a moment, then cut them (the sender retries).
    closeTimeout: 5_000,
    onMailFrom(address, session, callback) {
      limiter.admit(address.address || '<>', session.remoteAddress).then((over) => {
        if (!over) return callback();
        deps.log.info({ from: maskEmail(address.address), over }, 'inbound mail refused: rate limit');
        callback(smtpError(450, `4.7.1 too much mail from this ${over === 'sender' ? 'sender' : 'client'}, try again later`));
      }, callback);
    },
    onRcptTo(address, _session, callback) {
      const rcpt = address.address.toLowerCase();
      if (rcpt.slice(rcpt.lastIndexOf('@') + 1) !== domain) {
        callback(smtpError(550, `5.1.1 <${rcpt}>: we only accept mail for @${domain}`));
        return;
      }
      callback();
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
      const recipient = session.envelope.rcptTo[0].address.toLowerCase();
      const client = { ip: session.remoteAddress, helo: session.hostNameAppearsAs, mailFrom };
      const store = async () => {
        const spooled = await spoolMail(stream, maxBytes);
        try {
          if (stream.sizeExceeded || spooled.tooLarge) {
            deps.log.info({ size: spooled.size }, 'inbound mail refused: too large');
            return smtpError(552, `5.3.4 message exceeds the ${maxBytes} byte limit`);
          }
          const auth = await authenticateSender(spooled, client, { trustedRelay: mail.authRelay, mta: domain, resolver: opts.resolver });
          await receiveEmail(deps, spooled, { recipient, mailFrom }, signer, auth);
          // The same answer for a redelivery as for the first delivery.
          return null;
        } finally {
          await removeSpooled(spooled);
        }
      };
      store().then(
        (refusal) => (refusal ? callback(refusal) : callback(null, 'Message accepted')),
        (err: unknown) => {
          deps.log.error({ err, to: maskEmail(recipient) }, 'inbound mail could not be stored');
          callback(smtpError(451, '4.3.0 temporary failure, try again later'));
        },
      );
    },
  });
  server.on('error', (err) => deps.log.warn({ err }, 'inbound SMTP error'));

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
    stop: () => {
      clearInterval(sweeper);
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
