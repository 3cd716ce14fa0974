import { createHmac, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/**
 * TOTP (RFC 6238): SHA-1, 6 digits, 30-second steps — what every authenticator app reads from
 * the QR code. Pure functions; the use cases are in mfa.ts.
 */
const PERIOD = 30;
const totp = (secretBase32: string, label = 'agent') =>
  new TOTP({ issuer: 'Switchboard', label, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: Secret.fromBase32(secretBase32) });

export const newTotpSecret = () => new Secret({ size: 20 }).base32;

export const otpauthUrl = (secretBase32: string, label: string) => totp(secretBase32, label).toString();

/**
 * The time step a code belongs to, accepting one step either side for clock drift; null if
 * the code is wrong. Callers refuse steps at or before the last one used (no replay).
 */
export function totpStep(secretBase32: string, code: string, now = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totp(secretBase32).validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? null : Math.floor(now / 1000 / PERIOD) + delta;
}

/** The current code (tests and the enrolment check only). */
export const totpCode = (secretBase32: string, now = Date.now()) => totp(secretBase32).generate({ timestamp: now });

/**
 * Recovery codes: 10 random codes of 50 bits (`xxxxx-xxxxx`, base32). Their entropy makes a
 * keyed SHA-256 enough to store them (argon2 would cost ten hashes per try).
 */
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
export function newRecoveryCodes(n = 10): string[] {
  return Array.from({ length: n }, () => {
    const bytes = randomBytes(10);
    const chars = [...bytes].map((b) => ALPHABET[b % 32]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

export const looksLikeRecoveryCode = (code: string) => /^[a-z2-9]{5}-?[a-z2-9]{5}$/i.test(code.trim());

export const hashRecoveryCode = (key: string, code: string) =>
  createHmac('sha256', key).update(code.trim().toLowerCase().replace('-', '')).digest('hex');
