import { sql, type SQL } from 'drizzle-orm';
import { isSupervisor, type Actor } from '../../core/agents/actor.js';

/**
 * The conversations `actor` may see, as a condition on the conversations table under `alias`
 * (raw SQL queries): supervisors and admins see all; agents their queues' and their own.
 * The same rule as `canSee` in core/agents/actor.ts.
 */
export function visibleConversations(actor: Actor, alias = 'conversations'): SQL {
  if (isSupervisor(actor)) return sql`true`;
  const c = sql.raw(alias);
  if (actor.queues.length === 0) return sql`${c}.assignee_id = ${actor.id}`;
  return sql`(${c}.assignee_id = ${actor.id} or ${c}.queue_key in (${sql.join(
    actor.queues.map((q) => sql`${q}`),
    sql`, `,
  )}))`;
}
