import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { conversations, type ConversationRow } from '../../db/schema.js';
import type { Lang } from '../../ivr/flow-schema.js';

/**
 * What a voice conversation remembers about its call, in `conversations.metadata`
 * (channel specifics that do not deserve columns).
 */
export type CallMeta = {
  callSid?: string;
  direction?: 'inbound' | 'outbound';
  flow?: string;
  node?: string;
  lang?: Lang;
  /** call: waiting live on the line · voicemail / callback: the caller left, an agent calls back */
  mode?: 'call' | 'voicemail' | 'callback';
  callbackNumber?: string;
  record?: boolean;
  conference?: string;
  conferenceSid?: string;
  /** The agent's softphone leg in the conference. */
  agentCallSid?: string | null;
  bridgedAgentId?: string;
  /** When the current agent's leg answered (null while ringing / after they left). */
  bridgedAt?: string | null;
  /** When an agent first answered: talk time counts from here. */
  answeredAt?: string;
  onHold?: boolean;
  overflowedAt?: string;
  /** Last hold-loop request from Twilio for this call. */
  lastHeardAt?: string;
  endedAt?: string;
  callStatus?: string;
  callDurationSeconds?: number;
  talkSeconds?: number;
  waitSeconds?: number;
  agentNoAnswer?: number;
};

export const metaOf = (c: Pick<ConversationRow, 'metadata'>) => c.metadata as CallMeta;

/** The conference a call is bridged in: named after its conversation. */
export const conferenceName = (conversationId: string) => `conv-${conversationId}`;

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
 * Where a waiting caller stands: 1 + callers ahead (higher priority, or same
 * priority and queued earlier), and a wait estimate from how long this
 * queue's recent calls waited to be answered.
 */
export async function waitInfoFor(db: DbOrTx, c: ConversationRow): Promise<{ position: number; estimatedWaitSeconds: number }> {
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
  const rows = (await db.execute(sql`
    select avg(extract(epoch from accepted_at - queued_at))::float as avg_wait
    from (
      select accepted_at, queued_at from conversations
      where queue_key = ${c.queueKey} and channel = 'voice' and accepted_at is not null
      order by accepted_at desc limit 20
    ) recent
  `)) as unknown as { avg_wait: number | null }[];
  // With no history yet, assume a minute per caller ahead (and at least a minute).
  const perCaller = Math.max(30, rows[0]?.avg_wait ?? 60);
  return { position: ahead + 1, estimatedWaitSeconds: Math.round(perCaller * (ahead + 1)) };
}
