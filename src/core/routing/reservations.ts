import { and, eq, getTableColumns, gt, inArray, lte, ne, sql, type SQLWrapper } from 'drizzle-orm';
import { builtOnce, type Db, type DbOrTx, type Tx } from '../../db/client.js';
import { agents, conversations, reservations, type ReservationRow } from '../../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { publishConversationChange } from '../conversations/publish.js';
import { rooms, type Deps } from '../ports.js';
import { ROUTER_LOCK } from '../../db/advisory-locks.js';
import { retriedTransaction, retryLockConflicts } from '../../db/retry.js';
import { offerPayloads } from './dispatch.js';
import { shouldSetAway } from './policy.js';

/** Default of MAX_CONSECUTIVE_TIMEOUTS: offers an agent lets lapse in a row before the router sets them `away`. */
export const MAX_CONSECUTIVE_TIMEOUTS = 3;

/**
 * The agent takes the offer: the conversation becomes theirs. Fails with
 * offer_expired when the offer already lapsed or was withdrawn, and with
 * notFound for an unknown offer or another agent's.
 */
export async function acceptReservation(deps: Deps, reservationId: string, agentId: string) {
  const [row] = await retryLockConflicts(deps.log, 'accept', () => acceptStatement(deps.db).execute({ reservationId, agentId }));
  // Someone else's offer is "not found" to this agent: ids are not a way to probe.
  if (!row || row.r.agentId !== agentId) throw notFound('reservation');
  const { r, taken: conversation } = row;
  if (r.status !== 'pending' || r.expired) {
    throw new AppError('offer_expired', `this offer is ${r.status === 'pending' ? 'expired' : r.status}`);
  }
  if (!conversation) throw new AppError('offer_expired', 'this conversation is no longer waiting');
  deps.realtime.publish([rooms.agent(agentId), rooms.supervisors], 'conversation.assigned', {
    conversationId: conversation.id,
    agentId,
  });
  publishConversationChange(deps, conversation);
  // Voice (issue 4): the channel connects the live call to the agent who took it.
  await deps.channels[conversation.channel]?.onAssigned?.(conversation, agentId);
  return conversation;
}

/**
 * The accept in one statement (one round trip instead of six, issue #15): `r` locks the offer
 * row; `taken` assigns the conversation only if that offer is this agent's, pending, not yet
 * due and the conversation still offered; the offer is accepted and the agent's lapses reset
 * only if `taken` did (so a refused accept changes nothing, and one statement is atomic).
 *
 * Racing an expiry or withdrawal keeps "accepted ⇔ assigned": whatever withdraws the offer
 * (expireReservation, cancelPendingOffersInTx, cancelOfferInTx) rewrites the offer row, which
 * `r` holds locked, in the same transaction as the conversation. If it committed first, `r`'s
 * FOR UPDATE returns the row as committed (Read Committed re-reads a row it waited for), no
 * longer pending, and nothing is written. If we hold the row first, it waits for us and then
 * finds the offer accepted, not pending, and leaves offer and conversation alone. `taken` also
 * re-checks `offered` on the conversation's newest version after locking it, so a conversation
 * that left `offered` meanwhile is not assigned. "Due" is by Postgres' clock, as for the expiry
 * sweep.
 *
 * Lock order: the offer row, then the conversation, then (only with lapses to reset) the agent's
 * row. Whatever writes an offer and its conversation in one transaction takes them in that order,
 * or an accept and it each hold what the other waits for and Postgres aborts one (40P01; it was a
 * 500 "internal error" in issue #15's surge): the release paths (reject, expiry,
 * cancelPendingOffersInTx) lock the offer first by nature; the paths that start from the
 * conversation (transfer, resolve, incident resolve, a caller hanging up, answered elsewhere, and
 * an inbound text or voicemail transcription that matched a crisis phrase, whose check may move an
 * offered conversation to the crisis queue) call lockLiveOffers before locking it; a presence
 * change withdraws the offers before it writes the agent's row. Still the other way round, where
 * the accept (retryLockConflicts) or the other side runs again if Postgres aborts it (409 conflict
 * if it keeps losing): deactivation, the offline sweep, "on a call" and an expiry that sets the
 * agent away lock the agent's row before the agent's offers (a deadlock only with an accept that
 * has lapses to reset); and an offer made, and accepted, between a resolve's or a crisis text's
 * lockLiveOffers and its conversation lock (the crisis check is not retried: if it is the one
 * aborted, the text is stored unflagged and logged, as for any failed check).
 */
const acceptStatement = builtOnce((db: Db) => {
  const reservationId = sql.placeholder('reservationId');
  const agentId = sql.placeholder('agentId');
  const r = db.$with('r').as(
    db
      .select({
        agentId: reservations.agentId,
        conversationId: reservations.conversationId,
        status: reservations.status,
        expired: sql<boolean>`${reservations.expiresAt} <= now()`.as('expired'),
      })
      .from(reservations)
      .where(eq(reservations.id, reservationId))
      .for('update'),
  );
  const taken = db.$with('taken').as(
    db
      .update(conversations)
      // Taken: the transfer hand-over (sender, note) is done; the timeline keeps its record.
      .set({ status: 'assigned', assigneeId: sql`${agentId}`, acceptedAt: sql`now()`, transferredBy: null, transferNote: null })
      .from(r)
      .where(
        and(
          eq(conversations.id, r.conversationId),
          eq(conversations.status, 'offered'),
          eq(r.agentId, agentId),
          eq(r.status, 'pending'),
          sql`not ${r.expired}`,
        ),
      )
      .returning(getTableColumns(conversations)),
  );
  const accepted = db.$with('accepted').as(
    db
      .update(reservations)
      .set({ status: 'accepted', answeredAt: sql`now()` })
      .from(taken)
      .where(eq(reservations.id, reservationId))
      .returning({ id: reservations.id }),
  );
  // Only when there is something to reset: a row the update skips is not locked, so the usual
  // accept does not wait on (or deadlock with) the agent's row held by a presence change.
  const reset = db.$with('reset').as(
    db
      .update(agents)
      .set({ consecutiveTimeouts: 0 })
      .from(taken)
      .where(and(eq(agents.id, agentId), ne(agents.consecutiveTimeouts, 0)))
      .returning({ id: agents.id }),
  );
  return db
    .with(r, taken, accepted, reset)
    .select()
    .from(r)
    .leftJoin(taken, sql`true`)
    .prepare('accept_reservation');
});

export async function rejectReservation(deps: Deps, reservationId: string, agentId: string) {
  const done = await retriedTransaction(deps, 'reject', async (tx) => {
    const r = await lockReservation(tx, reservationId, agentId);
    if (r.status !== 'pending') throw new AppError('offer_expired', `this offer is ${r.status}`);
    return releaseOffer(tx, r, 'rejected', 'rejected by agent');
  });
  await afterRelease(deps, done, 'rejected');
}

/**
 * The offer's time ran out (called by the delayed job and by the reconciler;
 * a second call is a no-op). Too many lapses in a row set the agent away.
 */
export async function expireReservation(deps: Deps, reservationId: string) {
  const limit = deps.config.routing.maxConsecutiveTimeouts ?? MAX_CONSECUTIVE_TIMEOUTS;
  const done = await retriedTransaction(deps, 'offer expiry', async (tx) => {
    // The router's lock: setting the agent away and withdrawing their other offers must not
    // interleave with a decision that still sees them available.
    await tx.execute(sql`select pg_advisory_xact_lock(${ROUTER_LOCK})`);
    const [r] = await tx
      .select()
      .from(reservations)
      .where(and(eq(reservations.id, reservationId), eq(reservations.status, 'pending'), lte(reservations.expiresAt, sql`now()`)))
      .for('update');
    if (!r) return null;
    const released = await releaseOffer(tx, r, 'timeout', 'timeout');
    const [a] = await tx
      .update(agents)
      .set({ consecutiveTimeouts: sql`${agents.consecutiveTimeouts} + 1` })
      .where(eq(agents.id, r.agentId))
      .returning();
    let withdrawn: Released[] | null = null;
    if (a && shouldSetAway(a.presence, a.consecutiveTimeouts, limit)) {
      await tx
        .update(agents)
        .set({ presence: 'away', presenceChangedAt: sql`now()`, consecutiveTimeouts: 0 })
        .where(eq(agents.id, a.id));
      withdrawn = await cancelPendingOffersInTx(tx, a.id, 'agent unavailable');
    }
    return { ...released, withdrawn };
  });
  if (!done) return;
  await afterRelease(deps, done, 'timeout');
  if (done.withdrawn) {
    const reason = `set away after ${limit} offers in a row timed out`;
    deps.realtime.publish([rooms.agent(done.reservation.agentId), rooms.supervisors], 'agent.presence', {
      agentId: done.reservation.agentId,
      presence: 'away',
      reason,
    });
    await announceWithdrawn(deps, done.withdrawn, 'agent unavailable');
  }
}

/** Withdraws an agent's live offers (they went away/offline). */
export async function cancelPendingOffersOf(deps: Deps, agentId: string, reason: string) {
  const released = await retriedTransaction(deps, 'withdraw offers', (tx) => cancelPendingOffersInTx(tx, agentId, reason));
  await announceWithdrawn(deps, released, reason);
}

/** Bounds one sweep; the next sweep (or the reconciler) carries on. */
const OVERDUE_PER_SWEEP = 500;

/**
 * Expires the pending offers whose time ran out at least `graceSeconds` ago (the offer-timeout
 * sweep with 0, the reconciler with a little grace); returns how many were due.
 */
export async function expireOverdueOffers(deps: Deps, graceSeconds = 0): Promise<number> {
  const overdue = await deps.db
    .select({ id: reservations.id })
    .from(reservations)
    .where(and(eq(reservations.status, 'pending'), lte(reservations.expiresAt, sql`now() - make_interval(secs => ${graceSeconds})`)))
    .orderBy(reservations.expiresAt)
    .limit(OVERDUE_PER_SWEEP);
  for (const r of overdue) await expireReservation(deps, r.id);
  return overdue.length;
}

export type Released = Awaited<ReturnType<typeof releaseOffer>>;

/**
 * Withdraws an agent's live offers inside the caller's transaction (taken with
 * ROUTER_LOCK when presence changes, so no offer slips in between); `channel`
 * limits it (a call starting withdraws only voice offers).
 */
export async function cancelPendingOffersInTx(
  tx: Tx,
  agentId: string,
  reason: string,
  channel?: ReservationRow['channel'],
): Promise<Released[]> {
  const pending = await tx
    .select()
    .from(reservations)
    .where(
      and(eq(reservations.agentId, agentId), eq(reservations.status, 'pending'), channel ? eq(reservations.channel, channel) : undefined),
    )
    .for('update');
  const out = [];
  for (const r of pending) out.push(await releaseOffer(tx, r, 'canceled', reason));
  return out;
}

/** After commit: tell the agent, update desks, route the released conversations again. */
export async function announceWithdrawn(deps: Deps, released: Released[], reason: string) {
  for (const done of released) await afterRelease(deps, done, reason, false);
  if (released.length > 0) await deps.jobs.dispatch('offers withdrawn');
}

/**
 * Locks the live offers of these conversations (ids, or a subquery of ids): call it before the
 * transaction locks the conversations themselves, so it takes the accept's lock order (offer, then
 * conversation; see acceptStatement) and cannot deadlock with an accept.
 */
export async function lockLiveOffers(tx: Tx, conversationIds: string[] | SQLWrapper): Promise<void> {
  await tx
    .select({ id: reservations.id })
    .from(reservations)
    .where(and(inArray(reservations.conversationId, conversationIds), eq(reservations.status, 'pending')))
    .for('update');
}

/**
 * Cancels the live offer on a conversation that stops waiting (caller hung up,
 * transfer). Call inside the transaction that changes the conversation, after
 * lockLiveOffers and the conversation's own lock.
 */
export async function cancelOfferInTx(tx: Tx, conversationId: string, reason: string) {
  const [r] = await tx
    .update(reservations)
    .set({ status: 'canceled', reason, answeredAt: sql`now()` })
    .where(and(eq(reservations.conversationId, conversationId), eq(reservations.status, 'pending')))
    .returning();
  return r ?? null;
}

export function publishCanceled(deps: Deps, r: ReservationRow | null, reason: string) {
  if (!r) return;
  deps.realtime.publish([rooms.agent(r.agentId)], 'reservation.canceled', {
    reservationId: r.id,
    conversationId: r.conversationId,
    reason,
  });
}

async function lockReservation(tx: Tx, reservationId: string, agentId: string) {
  const [r] = await tx.select().from(reservations).where(eq(reservations.id, reservationId)).for('update');
  // Someone else's offer is "not found" to this agent: ids are not a way to probe.
  if (!r || r.agentId !== agentId) throw notFound('reservation');
  return r;
}

async function releaseOffer(tx: Tx, r: ReservationRow, status: 'rejected' | 'timeout' | 'canceled', reason: string) {
  await tx
    .update(reservations)
    .set({ status, reason, answeredAt: sql`now()` })
    .where(eq(reservations.id, r.id));
  const [c] = await tx
    .update(conversations)
    .set({ status: 'waiting' })
    .where(and(eq(conversations.id, r.conversationId), inArray(conversations.status, ['offered'])))
    .returning();
  return { reservation: r, conversation: c ?? null };
}

async function afterRelease(deps: Deps, done: { reservation: ReservationRow; conversation: unknown }, reason: string, redispatch = true) {
  publishCanceled(deps, done.reservation, reason);
  const conv = done.conversation as Parameters<typeof publishConversationChange>[1] | null;
  if (conv) publishConversationChange(deps, conv);
  if (redispatch) await deps.jobs.dispatch(`offer ${reason}`);
}

/** The agent's live offers (so a desk that reloads shows what is still ringing). */
export async function listPendingOffers(db: DbOrTx, agentId: string) {
  const rows = await db
    .select({ r: reservations, c: conversations })
    .from(reservations)
    .innerJoin(conversations, eq(conversations.id, reservations.conversationId))
    .where(and(eq(reservations.agentId, agentId), eq(reservations.status, 'pending'), gt(reservations.expiresAt, sql`now()`)))
    .orderBy(reservations.createdAt);
  return offerPayloads(
    db,
    rows.map(({ r, c }) => ({
      reservationId: r.id,
      conversationId: c.id,
      agentId,
      channel: r.channel,
      queueKey: c.queueKey,
      priority: c.priority,
      contactId: c.contactId,
      expiresAt: r.expiresAt,
    })),
  );
}
