import { and, eq, lte, sql } from 'drizzle-orm';
import { conversations, reservations } from '../../db/schema.js';
import { findUndelivered } from '../conversations/deliver-message.js';
import type { Deps } from '../ports.js';
import { expireReservation } from './reservations.js';
import { runRoutingTimers, type TimersResult } from './timers.js';

/**
 * Re-drives whatever a crash or a Redis outage left behind. Postgres is the
 * record; this makes the jobs match it. Run periodically by one worker at a time
 * (a BullMQ job scheduler), and harmless if run twice.
 */
export async function reconcile(deps: Deps): Promise<{ expired: number; resent: number; waiting: number; timers: TimersResult }> {
  // Offers past their deadline whose timeout job never ran.
  const overdue = await deps.db
    .select({ id: reservations.id })
    .from(reservations)
    .where(and(eq(reservations.status, 'pending'), lte(reservations.expiresAt, sql`now() - interval '2 seconds'`)))
    .limit(500);
  for (const r of overdue) await expireReservation(deps, r.id);

  // Replies stored but never handed to a send job.
  const undelivered = await findUndelivered(deps, 10);
  for (const m of undelivered) await deps.jobs.sendMessage(m.id);

  // Wrap-ups, gone desks and escalation steps whose delayed job was lost (or is not due by job).
  const timers = await runRoutingTimers(deps);

  const [{ n }] = (await deps.db
    .select({ n: sql<number>`count(*)::int` })
    .from(conversations)
    .where(eq(conversations.status, 'waiting'))) as [{ n: number }];
  if (n > 0) await deps.jobs.dispatch('reconcile');
  return { expired: overdue.length, resent: undelivered.length, waiting: n, timers };
}
