import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../config.js';
import { UUID } from '../patterns.js';

/**
 * The email survey's link to the public rating page: `/csat/<conversation id>.<expiry>.<mac>`,
 * an HMAC over both with a key derived from JWT_SECRET, so nobody can rate a conversation they
 * were not asked about. The link is the permission (no login); it works once (the survey row
 * holds the answer) and until it expires.
 */
const key = (config: Pick<Config, 'jwtSecret'>) => `csat-rating:${config.jwtSecret}`;
const mac = (config: Pick<Config, 'jwtSecret'>, conversationId: string, expires: number) =>
  createHmac('sha256', key(config)).update(`${conversationId}\n${expires}`).digest('base64url');

export function ratingToken(config: Pick<Config, 'jwtSecret'>, conversationId: string, expiresAt: Date): string {
  const expires = Math.floor(expiresAt.getTime() / 1000);
  return `${conversationId}.${expires}.${mac(config, conversationId, expires)}`;
}

export function ratingUrl(config: Pick<Config, 'jwtSecret' | 'publicUrl'>, conversationId: string, expiresAt: Date): string {
  return `${config.publicUrl}/csat/${ratingToken(config, conversationId, expiresAt)}`;
}

export type RatingTokenCheck = { ok: true; conversationId: string } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

/** Reads a token back: forged before expired, so an expiry cannot be probed with made-up tokens. */
export function checkRatingToken(config: Pick<Config, 'jwtSecret'>, token: string, now = Date.now()): RatingTokenCheck {
  const [conversationId, expires, given, ...rest] = token.split('.');
  if (rest.length || !conversationId || !UUID.test(conversationId) || !/^\d{1,12}$/.test(expires ?? '') || !given) {
    return { ok: false, reason: 'malformed' };
  }
  const expected = Buffer.from(mac(config, conversationId, Number(expires)));
  const actual = Buffer.from(given);
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return { ok: false, reason: 'forged' };
  if (Number(expires) * 1000 <= now) return { ok: false, reason: 'expired' };
  return { ok: true, conversationId };
}
