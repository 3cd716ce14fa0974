import nodemailer from 'nodemailer';
import { freePort } from './harness.js';

/** A real SMTP client: the sending side of the internet. */
export type Mx = ReturnType<typeof nodemailer.createTransport>;

/**
 * Inbound mail for a test app: a free port for its SMTP server, the `env` that turns that server on
 * for `domain` (spread it into `startTestApp`'s), and `mx`, a real SMTP client to that port. The
 * client connects only when it sends, so it can be made before the app starts; close it when done.
 */
export async function inboundMail(domain: string): Promise<{ port: number; env: Record<string, string>; mx: Mx }> {
  const port = await freePort();
  return {
    port,
    env: { INBOUND_SMTP_PORT: String(port), INBOUND_EMAIL_DOMAIN: domain },
    mx: nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true }),
  };
}
