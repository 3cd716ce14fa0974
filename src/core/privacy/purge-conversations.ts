import { count, eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { attachments, conversations, messages } from '../../db/schema.js';
import { AppError } from '../errors.js';
import type { Deps } from '../ports.js';

/** What a purge removed (audited; never what the records said). */
export type PurgeCounts = { conversations: number; messages: number; attachments: number; recordings: number };

/**
 * Deletes conversations for good: their messages (bodies), attachments (files and the raw mail),
 * offers and incident links (all cascaded from the conversation), and their call and voicemail
 * recordings at the vendor. The recordings go first, inside the caller's transaction: if the
 * vendor refuses, the transaction rolls back and every record is still there to try again
 * (a recording already deleted counts as deleted the next time).
 */
export async function purgeConversations(deps: Deps, tx: Tx, ids: string[]): Promise<PurgeCounts> {
  if (ids.length === 0) return { conversations: 0, messages: 0, attachments: 0, recordings: 0 };
  const ofThese = inArray(messages.conversationId, ids);
  const recordingRows = await tx
    .select({ sid: sql<string>`${messages.metadata}->>'recordingSid'` })
    .from(messages)
    .where(sql`${ofThese} and ${messages.metadata} ? 'recordingSid'`);
  const recordings = [...new Set(recordingRows.map((r) => r.sid).filter(Boolean))];
  if (recordings.length > 0) {
    if (!deps.calls)
      throw new AppError('unavailable', 'these conversations hold call recordings and Twilio is not configured to delete them');
    for (const sid of recordings) {
      await deps.calls.deleteRecording(sid).catch((err: unknown) => {
        deps.log.warn({ err }, 'recording could not be deleted');
        throw new AppError('unavailable', 'Twilio did not delete a recording: nothing was erased, try again later');
      });
    }
  }
  const [m] = await tx.select({ n: count() }).from(messages).where(ofThese);
  const [a] = await tx.select({ n: count() }).from(attachments).innerJoin(messages, eq(attachments.messageId, messages.id)).where(ofThese);
  const deleted = await tx.delete(conversations).where(inArray(conversations.id, ids)).returning({ id: conversations.id });
  return { conversations: deleted.length, messages: m.n, attachments: a.n, recordings: recordings.length };
}
