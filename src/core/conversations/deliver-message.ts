import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { conversationAddress } from '../../db/queries/contacts.js';
import { conversations, messages } from '../../db/schema.js';
import { AppError } from '../errors.js';
import type { Deps } from '../ports.js';
import { publishMessageUpdate } from './publish.js';

/** Thrown for a send that must not be retried (the job layer turns it into UnrecoverableError). */
export class PermanentSendError extends Error {}

export type DeliverOptions = {
  /** This is the job's last attempt: a vendor error now ends the reply `failed` instead of `pending`. */
  lastAttempt?: boolean;
};

/**
 * Delivers one stored outbound message. At-least-once callers are fine:
 * the row moves pending → sending before the vendor call, so a second run
 * never sends again. Every path ends somewhere an agent can see: sent, or
 * `failed` with the vendor's reason (a 4xx, or the last attempt's error), or
 * — when the process died during the vendor call — `failed` as "outcome
 * unknown" by `failStuckSends`, never silently pending.
 */
export async function deliverMessage(deps: Deps, messageId: string, opts: DeliverOptions = {}): Promise<'sent' | 'skipped'> {
  const [claimed] = await deps.db
    .update(messages)
    .set({ status: 'sending', sendingAt: sql`now()` })
    .where(and(eq(messages.id, messageId), eq(messages.status, 'pending')))
    .returning();
  if (!claimed) return 'skipped';

  const [conversation] = await deps.db.select().from(conversations).where(eq(conversations.id, claimed.conversationId));
  const sender = deps.channels[claimed.channel];
  if (!conversation || !sender) {
    await failMessage(deps, messageId, `no sender for channel ${claimed.channel}`);
    throw new PermanentSendError(`no sender for channel ${claimed.channel}`);
  }
  const identity = await conversationAddress(deps.db, conversation);
  // Opt-out is checked again at send time: a STOP may have arrived after the reply was queued.
  if (!identity || (identity.optedOutAt && claimed.channel === 'sms')) {
    await failMessage(deps, messageId, identity ? 'recipient opted out' : 'contact has no address on this channel');
    return 'skipped';
  }
  let result: Awaited<ReturnType<typeof sender.send>>;
  try {
    result = await sender.send({ message: claimed, conversation, to: identity.value });
  } catch (err) {
    // The vendor answered with an error: nothing was sent, so it is safe to try again.
    const reason = vendorReason(err);
    if (isPermanent(err) || opts.lastAttempt) {
      await failMessage(deps, messageId, reason);
      throw new PermanentSendError(reason);
    }
    await deps.db.update(messages).set({ status: 'pending', error: reason }).where(eq(messages.id, messageId));
    throw err;
  }
  // Sent. If this write fails (Postgres away), the row stays `sending`: a retry of the job skips it
  // and failStuckSends reports it, rather than putting it back to `pending` and sending it twice.
  const [m] = await deps.db
    .update(messages)
    .set({ status: result.status, externalId: result.externalId, error: null })
    .where(eq(messages.id, messageId))
    .returning();
  if (m) publishMessageUpdate(deps, conversation, m);
  return 'sent';
}

/** A vendor's 4xx (other than rate limiting) or our own refusal will not get better by retrying. */
function isPermanent(err: unknown): boolean {
  if (err instanceof PermanentSendError || (err instanceof AppError && err.status < 500)) return true;
  const status = (err as { status?: number }).status;
  return typeof status === 'number' && status >= 400 && status < 500 && status !== 429;
}

/** What the vendor said, as agents should read it: "Twilio 21211: The 'To' number … is not valid". */
function vendorReason(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const message = err instanceof Error ? err.message : typeof e?.message === 'string' ? e.message : String(err);
  const code = typeof e?.code === 'number' || (typeof e?.code === 'string' && /^\d+$/.test(e.code)) ? `error ${e.code}: ` : '';
  return `${code}${message}`.slice(0, 500);
}

/** Ends a reply `failed` with a reason and tells whoever sees the conversation. */
export async function failMessage(deps: Deps, messageId: string, error: string, from: ('pending' | 'sending')[] = ['pending', 'sending']) {
  const [m] = await deps.db
    .update(messages)
    .set({ status: 'failed', error })
    .where(and(eq(messages.id, messageId), inArray(messages.status, from)))
    .returning();
  if (!m) return null;
  const [conversation] = await deps.db.select().from(conversations).where(eq(conversations.id, m.conversationId));
  if (conversation) publishMessageUpdate(deps, conversation, m);
  return m;
}

/** Where a page of `findUndelivered` ended: created_at as Postgres prints it (microseconds kept; a JS Date would drop them). */
export type UndeliveredCursor = { at: string; id: string };

/**
 * Replies that never got a send job (or lost it), oldest first, one page at a
 * time after `after` (keyset on created_at, id), so no number of stuck rows
 * can hide the rest.
 */
export async function findUndelivered(
  db: DbOrTx,
  olderThanSeconds: number,
  opts: { limit?: number; after?: UndeliveredCursor } = {},
): Promise<(UndeliveredCursor & { id: string })[]> {
  const { limit = 200, after } = opts;
  return db
    .select({ id: messages.id, at: sql<string>`${messages.createdAt}::text` })
    .from(messages)
    .where(
      and(
        eq(messages.status, 'pending'),
        sql`${messages.createdAt} < now() - make_interval(secs => ${olderThanSeconds})`,
        after ? sql`(${messages.createdAt}, ${messages.id}) > (${after.at}::timestamptz, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(asc(messages.createdAt), asc(messages.id))
    .limit(limit);
}

/**
 * Replies claimed for sending longer ago than the vendor call can take: the
 * process died during the call, so whether the contact got it is unknown.
 * They end `failed` with that said, for an agent to check and retry — a
 * blind resend could text the contact twice.
 */
export async function failStuckSends(deps: Deps, afterSeconds: number, limit = 500): Promise<number> {
  const stuck = await deps.db
    .select({ id: messages.id })
    .from(messages)
    .where(
      and(
        eq(messages.status, 'sending'),
        // Rows claimed before sending_at existed count from their creation.
        sql`coalesce(${messages.sendingAt}, ${messages.createdAt}) < now() - make_interval(secs => ${afterSeconds})`,
      ),
    )
    .orderBy(asc(messages.createdAt))
    .limit(limit);
  let n = 0;
  for (const { id } of stuck) {
    if (await failMessage(deps, id, SEND_OUTCOME_UNKNOWN, ['sending'])) n += 1;
  }
  return n;
}

export const SEND_OUTCOME_UNKNOWN = 'delivery unknown: the sender stopped during the vendor call; check with the contact before retrying';
