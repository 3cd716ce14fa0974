import { eq, sql } from 'drizzle-orm';
import { conversations } from '../../db/schema.js';
import { failStuckSends, findUndelivered } from '../conversations/deliver-message.js';
import type { Deps } from '../ports.js';
import { expireOverdueOffers } from './reservations.js';
import { runRoutingTimers, type TimersResult } from './timers.js';

const UNDELIVERED_PAGE = 200;
/** Bounds one run; the oldest rows come first, and each ends sent or failed, so later runs reach the rest. */
const UNDELIVERED_PAGES_PER_RUN = 10;

/**
 * Re-drives whatever a crash or a Redis outage left behind. Postgres is the
 * record; this makes the jobs match it. Run periodically by one worker at a time
 * (a BullMQ job scheduler), and harmless if run twice.
 */
export async function reconcile(
  deps: Deps,
): Promise<{ expired: number; resent: number; sendsFailed: number; waiting: number; timers: TimersResult }> {
  // Offers past their deadline whose timeout job never ran.
  const expired = await expireOverdueOffers(deps, 2);

  // Replies stored but never handed to a send job (or whose job was lost), oldest first, page by
  // page: re-adding one whose job is still queued is a no-op, so the scan cannot be blocked by them.
  let resent = 0;
  let after: Awaited<ReturnType<typeof findUndelivered>>[number] | undefined;
  for (let page = 0; page < UNDELIVERED_PAGES_PER_RUN; page++) {
    const rows = await findUndelivered(deps.db, 10, { limit: UNDELIVERED_PAGE, after });
    for (const m of rows) await deps.jobs.sendMessage(m.id);
    resent += rows.length;
    if (rows.length < UNDELIVERED_PAGE) break;
    after = rows[rows.length - 1];
  }
  // Replies whose sender died during the vendor call: failed, visibly, rather than sent twice.
  const sendsFailed = await failStuckSends(deps, deps.config.sends.unknownAfterSeconds);

  // Wrap-ups, gone desks and escalation steps whose delayed job was lost (or is not due by job).
  const timers = await runRoutingTimers(deps);

  const [{ n }] = (await deps.db
    .select({ n: sql<number>`count(*)::int` })
    .from(conversations)
    .where(eq(conversations.status, 'waiting'))) as [{ n: number }];
  if (n > 0) await deps.jobs.dispatch('reconcile');
  return { expired, resent, sendsFailed, waiting: n, timers };
}
