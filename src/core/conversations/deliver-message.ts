import { and, eq, inArray, sql } from 'drizzle-orm';
import { contactIdentities, conversations, messages } from '../../db/schema.js';
import { AppError } from '../errors.js';
import type { Deps } from '../ports.js';
import { publishMessage } from './publish.js';
import { IDENTITY_FOR_CHANNEL } from '../channel-identity.js';

/** Thrown for a send that must not be retried (the job layer turns it into UnrecoverableError). */
export class PermanentSendError extends Error {}

/**
 * Delivers one stored outbound message. At-least-once callers are fine:
 * the row moves pending → sending before the vendor call, so a second run
 * never sends again. A crash during the vendor call leaves it `sending`,
 * which we surface as `unknown` rather than risk a duplicate text.
 */
export async function deliverMessage(deps: Deps, messageId: string): Promise<'sent' | 'skipped'> {
  const [claimed] = await deps.db
    .update(messages)
    .set({ status: 'sending' })
    .where(and(eq(messages.id, messageId), eq(messages.status, 'pending')))
    .returning();
  if (!claimed) return 'skipped';

  const [conversation] = await deps.db.select().from(conversations).where(eq(conversations.id, claimed.conversationId));
  const sender = deps.channels[claimed.channel];
  const fail = async (error: string) => {
    const [m] = await deps.db.update(messages).set({ status: 'failed', error }).where(eq(messages.id, messageId)).returning();
    if (m && conversation) publishMessage(deps, conversation, m);
  };
  if (!conversation || !sender) {
    await fail(`no sender for channel ${claimed.channel}`);
    throw new PermanentSendError(`no sender for channel ${claimed.channel}`);
  }
  const [identity] = await deps.db
    .select()
    .from(contactIdentities)
    .where(and(eq(contactIdentities.contactId, conversation.contactId), eq(contactIdentities.kind, IDENTITY_FOR_CHANNEL[claimed.channel])))
    .limit(1);
  // Opt-out is checked again at send time: a STOP may have arrived after the reply was queued.
  if (!identity || (identity.optedOutAt && claimed.channel === 'sms')) {
    await fail(identity ? 'recipient opted out' : 'contact has no address on this channel');
    return 'skipped';
  }
  try {
    const result = await sender.send({ message: claimed, conversation, to: identity.value });
    const [m] = await deps.db
      .update(messages)
      .set({ status: result.status, externalId: result.externalId, error: null })
      .where(eq(messages.id, messageId))
      .returning();
    if (m) publishMessage(deps, conversation, m);
    return 'sent';
  } catch (err) {
    // The vendor answered with an error: nothing was sent, so it is safe to try again.
    const permanent = err instanceof PermanentSendError || (err instanceof AppError && err.status < 500);
    const status = (err as { status?: number }).status;
    const vendorRejected = typeof status === 'number' && status >= 400 && status < 500 && status !== 429;
    if (permanent || vendorRejected) {
      await fail(err instanceof Error ? err.message : String(err));
      throw new PermanentSendError(err instanceof Error ? err.message : String(err));
    }
    await deps.db.update(messages).set({ status: 'pending' }).where(eq(messages.id, messageId));
    throw err;
  }
}

/** Messages stuck `pending` (their job was lost) older than `olderThanSeconds`. */
export async function findUndelivered(deps: Deps, olderThanSeconds: number, limit = 200) {
  return deps.db
    .select({ id: messages.id })
    .from(messages)
    .where(and(inArray(messages.status, ['pending']), sql`${messages.createdAt} < now() - make_interval(secs => ${olderThanSeconds})`))
    .limit(limit);
}
