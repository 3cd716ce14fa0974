import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Message bodies never reach the logs, and anything that looks like contact
 * identity is masked. Redaction is a safety net; call sites should log ids.
 */
export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'switchboard', ...base },
    redact: {
      paths: [
        'body',
        '*.body',
        'Body',
        '*.Body',
        'text',
        '*.text',
        'html',
        '*.html',
        'password',
        '*.password',
        'token',
        '*.token',
        'authorization',
        '*.authorization',
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-twilio-signature"]',
        'req.headers["x-slack-signature"]',
      ],
      censor: '[redacted]',
    },
  });
}

/** +14155550123 → +1415•••0123 */
export function maskPhone(phone: string | null | undefined): string {
  if (!phone) return '';
  if (phone.length <= 6) return '•••';
  return `${phone.slice(0, 5)}•••${phone.slice(-4)}`;
}

/** jane.doe@example.org → j•••@example.org */
export function maskEmail(email: string | null | undefined): string {
  if (!email) return '';
  const at = email.lastIndexOf('@');
  if (at < 1) return '•••';
  return `${email[0]}•••${email.slice(at)}`;
}

/** Masks an address of any kind we handle (phone, email, Slack id stays as is: it is not PII on its own). */
export function maskAddress(address: string | null | undefined): string {
  if (!address) return '';
  if (address.includes('@')) return maskEmail(address);
  if (/^\+?\d{6,}$/.test(address)) return maskPhone(address);
  return address;
}
