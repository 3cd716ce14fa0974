import { and, asc, inArray, sql } from 'drizzle-orm';
import { conversations } from '../../db/schema.js';
import { recordAudit } from '../audit/record-audit.js';
import type { Deps } from '../ports.js';
import { purgeConversations, type PurgeCounts } from './purge-conversations.js';

/** Conversations deleted per transaction: a long backlog (the first night) is done in many short ones. */
const BATCH = 100;

/**
 * The nightly retention job (RETENTION_DAYS): conversations closed (resolved or abandoned) more
 * than that many days ago are purged with their messages, attachments, raw mail and recordings.
 * Contacts themselves stay (with their opt-outs); only `DELETE /api/contacts/:id` removes them.
 * Rows locked by someone else are skipped (`skip locked`) and taken the next night.
 */
export async function purgeExpired(deps: Deps, now = new Date()): Promise<PurgeCounts | null> {
  const days = deps.config.retentionDays;
  if (!days) return null;
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  const closedAt = sql`coalesce(${conversations.resolvedAt}, ${conversations.abandonedAt}, ${conversations.lastMessageAt})`;
  const total: PurgeCounts = { conversations: 0, messages: 0, attachments: 0, recordings: 0 };
  for (;;) {
    const purged = await deps.db.transaction(async (tx) => {
      const ids = await tx
        .select({ id: conversations.id })
        .from(conversations)
        .where(and(inArray(conversations.status, ['resolved', 'abandoned']), sql`${closedAt} < ${cutoff.toISOString()}::timestamptz`))
        .orderBy(asc(closedAt))
        .limit(BATCH)
        .for('update', { skipLocked: true });
      return purgeConversations(
        deps,
        tx,
        ids.map((r) => r.id),
      );
    });
    for (const k of Object.keys(total) as (keyof PurgeCounts)[]) total[k] += purged[k];
    if (purged.conversations < BATCH) break;
  }
  if (total.conversations > 0) {
    await recordAudit(deps.db, {
      actorId: null,
      action: 'retention.purge',
      details: { ...total, retentionDays: days, before: cutoff.toISOString() },
    });
  }
  deps.log.info({ ...total, retentionDays: days }, 'retention: closed conversations purged');
  return total;
}
