import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';

/**
 * Login throttling (sliding window of failures per email and per client address), as a port:
 * the Redis implementation (src/http/login-throttle.ts) is shared by every web process.
 *
 * An attempt is counted as a failure from the moment it starts and withdrawn if it succeeds,
 * so a burst of parallel guesses cannot slip past the limit while their hashes are computed.
 */
export type LoginThrottle = {
  /** Starts an attempt: refused with the seconds to wait, or admitted with a ticket to settle. */
  begin(keys: string[]): Promise<{ allowed: false; retryAfterSeconds: number } | { allowed: true; ticket: string }>;
  /** The attempt failed: it stays counted. Answers the keys that are now at the limit. */
  failed(keys: string[], ticket: string): Promise<string[]>;
  /** The attempt succeeded (or was not a guess): it no longer counts. */
  withdraw(keys: string[], ticket: string): Promise<void>;
};

/**
 * Throttle keys for one attempt. The email is hashed (Redis never holds addresses); an IPv6
 * client is keyed by its /64, which one subscriber usually holds whole.
 */
export function throttleKeys(email: string, ip: string | null | undefined): string[] {
  const keys = [`email:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32)}`];
  if (ip) keys.push(`addr:${addressKey(ip)}`);
  return keys;
}

export function addressKey(ip: string): string {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (!isIPv6(v4)) return v4;
  return expandIPv6(v4).slice(0, 4).join(':') + '::/64';
}

function expandIPv6(ip: string): string[] {
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}
