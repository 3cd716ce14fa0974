import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { conversations, messages, reservations, type ConversationRow, type MessageRow } from '../../db/schema.js';
import type { CallMeta } from './call-meta.js';
import { ESTIMATE_ANSWERS, ESTIMATE_WINDOW_SECONDS } from './wait-estimate.js';

const isCall = (callSid: string) => and(eq(conversations.channel, 'voice'), eq(conversations.threadKey, callSid));

/** The voice conversation of a call (the latest, should a CallSid ever be reused). */
export async function findCallConversation(db: DbOrTx, callSid: string, opts: { forUpdate?: boolean } = {}) {
  const q = db.select().from(conversations).where(isCall(callSid)).orderBy(desc(conversations.createdAt)).limit(1);
  const [row] = opts.forUpdate ? await q.for('update') : await q;
  return row;
}

/** The ids of a call's voice conversations, as a subquery. */
export const callConversationIds = (db: DbOrTx, callSid: string) =>
  db.select({ id: conversations.id }).from(conversations).where(isCall(callSid));

export async function loadConversation(db: DbOrTx, id: string, opts: { forUpdate?: boolean } = {}) {
  const q = db.select().from(conversations).where(eq(conversations.id, id));
  const [row] = opts.forUpdate ? await q.for('update') : await q;
  return row;
}

/** Merges keys into the conversation's metadata (jsonb `||`), optionally changing columns too. */
export async function patchCall(
  db: DbOrTx,
  id: string,
  meta: Partial<CallMeta>,
  columns: Partial<typeof conversations.$inferInsert> = {},
): Promise<ConversationRow | undefined> {
  const [row] = await db
    .update(conversations)
    .set({ ...columns, metadata: sql`${conversations.metadata} || ${JSON.stringify(meta)}::jsonb` })
    .where(eq(conversations.id, id))
    .returning();
  return row;
}

/**
 * Calls an agent holds or is being offered: their live voice conversations
 * (assigned, a call placed, not ended; `except` left out) plus pending voice offers.
 */
export async function countAgentCalls(db: DbOrTx, agentId: string, except?: string): Promise<number> {
  const [{ n }] = (await db.execute(sql`
    select (select count(*) from ${conversations} where assignee_id = ${agentId} and channel = 'voice' and status = 'assigned'
              and (metadata->>'endedAt') is null and (metadata->>'callSid') is not null
              and (${except ?? null}::uuid is null or id <> ${except ?? null}::uuid))
         + (select count(*) from ${reservations} where agent_id = ${agentId} and channel = 'voice' and status = 'pending') as n
  `)) as unknown as [{ n: number | string }];
  return Number(n);
}

/**
 * Live voice callers ahead of this one in its queue: on the line (not a
 * voicemail or callback left to call back), higher priority, or the same
 * priority and queued earlier.
 */
export async function countCallersAhead(db: DbOrTx, c: ConversationRow): Promise<number> {
  const [{ ahead }] = (await db
    .select({ ahead: sql<number>`count(*)::int` })
    .from(conversations)
    .where(
      and(
        eq(conversations.queueKey, c.queueKey),
        eq(conversations.channel, 'voice'),
        inArray(conversations.status, ['waiting', 'offered']),
        sql`coalesce(${conversations.metadata}->>'mode', 'call') = 'call' and (${conversations.metadata}->>'endedAt') is null`,
        sql`(${conversations.priority} > ${c.priority} or (${conversations.priority} = ${c.priority} and ${conversations.queuedAt} < ${c.queuedAt.toISOString()}))`,
        sql`${conversations.id} <> ${c.id}`,
      ),
    )) as [{ ahead: number }];
  return ahead;
}

/** When the queue's recent calls were answered (the last hour, up to 20), and how long those callers had waited. */
export async function recentAnswerTimes(
  db: DbOrTx,
  queueKey: string,
  now: Date,
): Promise<{ answeredAt: Date[]; averageWaitSeconds: number | null }> {
  const since = new Date(now.getTime() - ESTIMATE_WINDOW_SECONDS * 1000).toISOString();
  const rows = (await db.execute(sql`
    select accepted_at, extract(epoch from accepted_at - queued_at)::float as waited
    from conversations
    where queue_key = ${queueKey} and channel = 'voice' and accepted_at is not null and accepted_at > ${since}
      and coalesce(metadata->>'mode', 'call') = 'call' and coalesce(metadata->>'direction', 'inbound') = 'inbound'
    order by accepted_at desc limit ${ESTIMATE_ANSWERS}
  `)) as unknown as { accepted_at: string | Date; waited: number }[];
  return {
    answeredAt: rows.map((r) => new Date(r.accepted_at)),
    averageWaitSeconds: rows.length ? rows.reduce((t, r) => t + r.waited, 0) / rows.length : null,
  };
}

/** A voice message by its vendor id (a recording's sid…). */
export async function findCallMessage(db: DbOrTx, externalId: string): Promise<MessageRow | undefined> {
  const [row] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.channel, 'voice'), eq(messages.externalId, externalId)));
  return row;
}

export type CallMessage = {
  externalId: string;
  body: string;
  media?: { url: string; contentType?: string; name?: string }[];
  metadata: Record<string, unknown>;
};

/**
 * Stores an inbound voice message (a recording, a transcription) on a
 * conversation once: a redelivery returns null. Moves `lastMessageAt`.
 */
export async function insertCallMessage(
  db: DbOrTx,
  conversationId: string,
  m: CallMessage,
): Promise<{ message: MessageRow; conversation: ConversationRow | undefined } | null> {
  const [message] = await db
    .insert(messages)
    .values({ conversationId, channel: 'voice', direction: 'inbound', status: 'received', ...m, media: m.media ?? [] })
    .onConflictDoNothing()
    .returning();
  if (!message) return null;
  const [conversation] = await db
    .update(conversations)
    .set({ lastMessageAt: message.createdAt })
    .where(eq(conversations.id, conversationId))
    .returning();
  return { message, conversation };
}
