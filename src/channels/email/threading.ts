import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../config.js';
import { UUID_SOURCE } from '../../core/patterns.js';

/**
 * Our outbound Message-IDs name the conversation and carry an HMAC of it:
 * `<sb.{conversationId}.{messageId}.{mac}@{domain}>`. A reply naming one we
 * really sent joins that conversation; a made-up one (or someone else's
 * conversation id with a bad MAC) is ignored, so nobody can attach mail to a
 * conversation they were never part of by forging `In-Reply-To`.
 */
export type ThreadSigner = {
  messageIdFor(conversationId: string, messageId: string): string;
  /** The conversation a Message-ID names, if we signed it. */
  conversationOf(messageId: string): string | undefined;
};

const OURS = new RegExp(`^<?sb\\.(${UUID_SOURCE})\\.(${UUID_SOURCE})\\.([A-Za-z0-9_-]{22})@([^>\\s]+)>?$`, 'i');

export function threadSigner(config: Config): ThreadSigner {
  // A dedicated key, derived (not reused) when only JWT_SECRET is set.
  const key = config.mail.threadSecret ?? createHmac('sha256', config.jwtSecret).update('switchboard email threading v1').digest();
  const domain = mailDomain(config);
  const mac = (conversationId: string, messageId: string) =>
    createHmac('sha256', key).update(`${conversationId.toLowerCase()}.${messageId.toLowerCase()}`).digest('base64url').slice(0, 22);
  return {
    messageIdFor(conversationId, messageId) {
      return `<sb.${conversationId}.${messageId}.${mac(conversationId, messageId)}@${domain}>`;
    },
    conversationOf(id) {
      const m = OURS.exec(id.trim());
      if (!m) return undefined;
      const [, conversationId, messageId, given] = m as unknown as [string, string, string, string];
      const want = Buffer.from(mac(conversationId, messageId));
      const got = Buffer.from(given);
      return want.length === got.length && timingSafeEqual(want, got) ? conversationId.toLowerCase() : undefined;
    },
  };
}

/** The domain our Message-IDs use: the inbound domain, else MAIL_FROM's, else a placeholder. */
export function mailDomain(config: Config): string {
  if (config.mail.inboundDomain) return config.mail.inboundDomain;
  const at = config.mail.from?.lastIndexOf('@') ?? -1;
  if (config.mail.from && at > 0)
    return config.mail.from
      .slice(at + 1)
      .replace(/>.*$/, '')
      .trim()
      .toLowerCase();
  return 'switchboard.invalid';
}

/** Message-IDs in a References / In-Reply-To header value (or mailparser's array), in order, with angle brackets. */
export function messageIdsIn(value: string | string[] | undefined): string[] {
  if (!value) return [];
  const text = Array.isArray(value) ? value.join(' ') : value;
  const ids = text.match(/<[^<>\s]+>/g);
  if (ids) return ids;
  // Some clients omit the brackets.
  return text
    .split(/\s+/)
    .filter((s) => s.includes('@'))
    .map((s) => `<${s}>`);
}
