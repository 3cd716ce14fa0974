import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
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

/**
 * Whether `actor` may see a contact: supervisors always; agents when one of the contact's
 * conversations is visible to them, or when the contact has no conversation at all yet
 * (a number nobody has talked to reveals nothing).
 */
export async function contactVisibleTo(db: DbOrTx, actor: Actor, contactId: string): Promise<boolean> {
  if (isSupervisor(actor)) return true;
  const rows = (await db.execute(sql`
    select exists (select 1 from conversations where contact_id = ${contactId}::uuid and ${visibleConversations(actor)}) as visible,
           exists (select 1 from conversations where contact_id = ${contactId}::uuid) as known
  `)) as unknown as { visible: boolean; known: boolean }[];
  return rows[0].visible || !rows[0].known;
}
