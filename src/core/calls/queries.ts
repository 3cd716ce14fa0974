import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { conversations, messages, reservations, type ConversationRow, type MessageRow } from '../../db/schema.js';
import type { CallMeta } from './call-meta.js';

/** The voice conversation of a call (the latest, should a CallSid ever be reused). */
export async function findCallConversation(db: DbOrTx, callSid: string, opts: { forUpdate?: boolean } = {}) {
  const q = db
    .select()
    .from(conversations)
    .where(and(eq(conversations.channel, 'voice'), eq(conversations.threadKey, callSid)))
    .orderBy(desc(conversations.createdAt))
    .limit(1);
  const [row] = opts.forUpdate ? await q.for('update') : await q;
  return row;
}

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

/** Voice callers ahead of this one in its queue: higher priority, or the same priority and queued earlier. */
export async function countCallersAhead(db: DbOrTx, c: ConversationRow): Promise<number> {
  const [{ ahead }] = (await db
    .select({ ahead: sql<number>`count(*)::int` })
    .from(conversations)
    .where(
      and(
        eq(conversations.queueKey, c.queueKey),
        eq(conversations.channel, 'voice'),
        inArray(conversations.status, ['waiting', 'offered']),
        sql`(${conversations.priority} > ${c.priority} or (${conversations.priority} = ${c.priority} and ${conversations.queuedAt} < ${c.queuedAt.toISOString()}))`,
        sql`${conversations.id} <> ${c.id}`,
      ),
    )) as [{ ahead: number }];
  return ahead;
}

/** How long the queue's last 20 answered calls waited, on average (null with no history). */
export async function recentAnsweredWaitSeconds(db: DbOrTx, queueKey: string): Promise<number | null> {
  const rows = (await db.execute(sql`
    select avg(extract(epoch from accepted_at - queued_at))::float as avg_wait
    from (
      select accepted_at, queued_at from conversations
      where queue_key = ${queueKey} and channel = 'voice' and accepted_at is not null
      order by accepted_at desc limit 20
    ) recent
  `)) as unknown as { avg_wait: number | null }[];
  return rows[0]?.avg_wait ?? null;
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
