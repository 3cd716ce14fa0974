import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export type SunkMail = { envelope: { from: string; to: string[] }; raw: Buffer; mail: ParsedMail };

export type SmtpSink = {
  /** nodemailer transport URL for SMTP_URL. */
  url: string;
  mails: SunkMail[];
  /** When set, every DATA is answered with this SMTP code (e.g. 550, 451). */
  failWith?: number;
  close(): Promise<void>;
};

/** A local SMTP server standing in for the outbound relay: the real nodemailer transport talks to it. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const sink: SmtpSink = { url: '', mails: [], close: async () => {} };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        if (sink.failWith) {
          callback(Object.assign(new Error(`sink refuses (${sink.failWith})`), { responseCode: sink.failWith }));
          return;
        }
        const raw = Buffer.concat(chunks);
        sink.mails.push({
          envelope: {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
          },
          raw,
          mail: await simpleParser(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  sink.url = `smtp://127.0.0.1:${port}`;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}
