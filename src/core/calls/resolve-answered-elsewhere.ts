import { eq, sql } from 'drizzle-orm';
import { retriedTransaction } from '../../db/retry.js';
import { conversations } from '../../db/schema.js';
import { publishConversationChange } from '../conversations/publish.js';
import type { Deps } from '../ports.js';
import { cancelOfferInTx, lockLiveOffers, publishCanceled } from '../routing/reservations.js';
import { callConversationIds, findCallConversation } from './queries.js';

/**
 * Someone outside the desk answered a waiting caller (a flow's dial-out to the
 * on-call phones): the conversation is resolved with that disposition and any
 * live offer withdrawn. A call already with an agent, or over, is left alone.
 */
export async function resolveAnsweredElsewhere(deps: Deps, callSid: string, disposition: string): Promise<void> {
  const done = await retriedTransaction(deps, 'answered elsewhere', async (tx) => {
    // The accept's lock order: the live offer, then the conversation (reservations.ts).
    await lockLiveOffers(tx, callConversationIds(tx, callSid));
    const c = await findCallConversation(tx, callSid, { forUpdate: true });
    if (!c || (c.status !== 'waiting' && c.status !== 'offered')) return null;
    const canceled = await cancelOfferInTx(tx, c.id, 'taken elsewhere');
    const [row] = await tx
      .update(conversations)
      .set({ status: 'resolved', resolvedAt: sql`now()`, disposition })
      .where(eq(conversations.id, c.id))
      .returning();
    return { row, canceled };
  });
  if (!done) return;
  publishCanceled(deps, done.canceled, 'taken elsewhere');
  publishConversationChange(deps, done.row);
}
