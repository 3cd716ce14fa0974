import { z } from 'zod';
import type { AutoReply, ContactTextVariants, ConversationRow, Language, QueueRow } from '../../db/schema.js';
import { isOpen } from '../business-hours.js';

const ZText = z.string().trim().min(1).max(1000);
const ZVariants = z.union([ZText, z.object({ en: ZText, es: ZText.optional() }).strict()]);

/** `PATCH /api/queues/:key {autoReply}`: `open` (acknowledgement) and `closed` (after hours); null removes it. */
export const ZAutoReply = z.object({ open: ZVariants.nullable().optional(), closed: ZVariants.nullable().optional() }).strict().nullable();

/** The variant for the contact's language (English when there is none in theirs). */
export function pickVariant(text: ContactTextVariants, language: Language | null | undefined): string {
  if (typeof text === 'string') return text;
  return (language && text[language]) || text.en;
}

/**
 * The auto-reply a new conversation gets, or null: only text channels (never a call), and never
 * for keywords or machine mail (those open no conversation anyway). Outside the queue's business
 * hours the `closed` text is used (the `open` one when there is no `closed`); `{number}` becomes
 * the reference.
 */
export function autoReplyFor(
  queue: Pick<QueueRow, 'autoReply' | 'businessHours'>,
  conversation: Pick<ConversationRow, 'channel' | 'number'>,
  language: Language | null | undefined,
  now: Date,
): string | null {
  const reply: AutoReply | null = queue.autoReply;
  if (!reply || conversation.channel === 'voice') return null;
  const text = isOpen(queue.businessHours, now) ? reply.open : (reply.closed ?? reply.open);
  if (!text) return null;
  return pickVariant(text, language).replace(/\{number\}/g, String(conversation.number));
}
