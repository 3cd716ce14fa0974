import { and, eq, gt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { auditLog } from '../../db/schema.js';
import { isSupervisor, type Actor } from '../agents/actor.js';
import { recordAudit, type AuditContext } from '../audit/record-audit.js';
import type { PublicConversation } from '../ports.js';

/** A desk re-reads an open conversation on every new message: one entry per person and conversation per window is enough. */
const VIEW_WINDOW = sql`interval '10 minutes'`;

/**
 * Audits a supervisor or admin opening a conversation outside their own queues (and not
 * assigned to them): seeing work that is not theirs is the access worth a record.
 */
export async function recordConversationView(
  db: DbOrTx,
  ctx: AuditContext,
  actor: Actor,
  c: Pick<PublicConversation, 'id' | 'queue' | 'assigneeId' | 'number'>,
) {
  if (!isSupervisor(actor) || actor.queues.includes(c.queue) || c.assigneeId === actor.id) return;
  const target = `conversation:${c.id}`;
  const [recent] = await db
    .select({ id: auditLog.id })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.actorId, actor.id),
        eq(auditLog.action, 'conversation.view'),
        eq(auditLog.target, target),
        gt(auditLog.at, sql`now() - ${VIEW_WINDOW}`),
      ),
    )
    .limit(1);
  if (recent) return;
  await recordAudit(db, { ...ctx, action: 'conversation.view', target, details: { number: c.number, queue: c.queue } });
}
