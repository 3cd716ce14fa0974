import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../config.js';

/** What a signed link opens: a stored attachment (by its id) or a call recording (by its message's id). */
export type FileKind = 'attachment' | 'recording';

export type SignedLink = { url: string; expiresAt: string };

const mac = (secret: string, kind: FileKind, id: string, expires: number) =>
  createHmac('sha256', secret).update(`${kind}\n${id}\n${expires}`).digest('base64url');

/**
 * A link an <img>, <a> or <audio> can open without the bearer token: HMAC over kind, id and
 * expiry with FILE_URL_SECRET. Whoever asks for one must already have been allowed to see the
 * file's conversation; the link itself is the permission until it expires.
 */
export function signFileLink(config: Pick<Config, 'files'>, kind: FileKind, id: string, now = Date.now()): SignedLink {
  const expires = Math.floor(now / 1000) + config.files.urlTtlSeconds;
  const q = new URLSearchParams({ expires: String(expires), signature: mac(config.files.urlSecret, kind, id, expires) });
  return { url: `/api/files/${kind}/${id}?${q.toString()}`, expiresAt: new Date(expires * 1000).toISOString() };
}

/** Why a link is refused, or null when it is good. */
export function checkFileLink(
  config: Pick<Config, 'files'>,
  kind: FileKind,
  id: string,
  query: { expires?: unknown; signature?: unknown },
  now = Date.now(),
): 'malformed' | 'expired' | 'forged' | null {
  const { expires, signature } = query;
  if (typeof expires !== 'string' || !/^\d{1,12}$/.test(expires) || typeof signature !== 'string') return 'malformed';
  const expected = Buffer.from(mac(config.files.urlSecret, kind, id, Number(expires)));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'forged';
  // Checked after the signature, so an expiry cannot be probed with made-up links.
  if (Number(expires) * 1000 <= now) return 'expired';
  return null;
}
