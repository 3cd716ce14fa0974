import { and, desc, inArray, isNotNull } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { conversations, OPEN_STATUSES } from '../../db/schema.js';
import type { RealtimeEvents } from '../ports.js';

/** Open risk-flagged conversations, newest activity first, as `crisis.detected` tells of them: the banner after a reload. */
export async function listOpenRisks(db: DbOrTx, limit = 50): Promise<RealtimeEvents['crisis.detected'][]> {
  const rows = await db
    .select()
    .from(conversations)
    .where(and(isNotNull(conversations.risk), inArray(conversations.status, [...OPEN_STATUSES])))
    .orderBy(desc(conversations.lastMessageAt))
    .limit(limit);
  return rows.map((c) => ({
    conversationId: c.id,
    number: c.number,
    queue: c.queueKey,
    channel: c.channel,
    level: c.risk!.level,
    reasons: c.risk!.reasons,
    categories: c.risk!.categories,
    assigneeId: c.assigneeId,
    status: c.status,
  }));
}
