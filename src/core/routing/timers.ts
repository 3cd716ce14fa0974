import { sql } from 'drizzle-orm';
import { listQueues } from '../../db/queries/queues.js';
import type { Presence } from '../../db/schema.js';
import { publishPresence } from '../agents/set-presence.js';
import { rooms, type Deps } from '../ports.js';
import { ROUTER_LOCK } from '../../db/advisory-locks.js';
import { retriedTransaction } from '../../db/retry.js';
import { escalate, priorityCeiling, sortedPlan } from './policy.js';
import { announceWithdrawn, cancelPendingOffersInTx, type Released } from './reservations.js';

/** Conversations escalated per queue step per sweep; the next sweep carries on. */
const ESCALATION_BATCH = 500;

export type TimersResult = { wrapUpEnded: number; setOffline: number; escalated: number };

/**
 * Everything in routing that happens because time passed: wrap-up ends,
 * desks gone longer than the grace period, escalation steps falling due. Run
 * by delayed jobs at the moment something is due and by the reconciler on
 * every tick; every part is a conditional UPDATE, so running it twice, or in
 * two processes at once, changes nothing the second time.
 */
export async function runRoutingTimers(deps: Deps): Promise<TimersResult> {
  const wrapUpEnded = await endWrapUps(deps);
  const setOffline = await offlineGoneDesks(deps);
  const escalated = await runEscalations(deps);
  if (wrapUpEnded + setOffline + escalated > 0) await deps.jobs.queueStats();
  return { wrapUpEnded, setOffline, escalated };
}

async function endWrapUps(deps: Deps): Promise<number> {
  const rows = (await deps.db.execute(sql`
    update agents set presence = 'available', presence_changed_at = now(), consecutive_timeouts = 0
    where presence = 'wrap-up' and presence_changed_at <= now() - make_interval(secs => ${deps.config.routing.wrapUpSeconds})
    returning id
  `)) as unknown as { id: string }[];
  for (const r of rows) publishPresence(deps, r.id, 'available', 'wrap-up ended');
  if (rows.length > 0) await deps.jobs.dispatch('wrap-up ended');
  return rows.length;
}

/**
 * Agents who use the desk and have had no socket anywhere for the grace
 * period go offline. On a call (busy) is left alone: the softphone carries the
 * call even while the desk reconnects.
 */
async function offlineGoneDesks(deps: Deps): Promise<number> {
  const grace = deps.config.routing.presenceGraceSeconds;
  const { ids, released } = await retriedTransaction(deps, 'offline sweep', async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ROUTER_LOCK})`);
    const rows = (await tx.execute(sql`
      update agents set presence = 'offline', presence_changed_at = now()
      where presence in ('available', 'away', 'wrap-up')
        and last_seen_at is not null
        and last_seen_at <= now() - make_interval(secs => ${grace})
        and presence_changed_at <= now() - make_interval(secs => ${grace})
      returning id
    `)) as unknown as { id: string }[];
    const released: Released[] = [];
    for (const r of rows) released.push(...(await cancelPendingOffersInTx(tx, r.id, 'agent offline')));
    return { ids: rows.map((r) => r.id), released };
  });
  for (const id of ids) publishPresence(deps, id, 'offline' satisfies Presence, `desk disconnected for more than ${grace}s`);
  await announceWithdrawn(deps, released, 'agent offline');
  return ids.length;
}

type DueRow = {
  id: string;
  queue_key: string;
  priority: number;
  escalation_step: number;
  overflow_queues: string[];
  waited: number;
};

/**
 * Fires due escalation steps. Each conversation's fired steps are stored
 * (`escalation_step`, plus a log in metadata), so a step fires once however
 * many sweeps run; the row lock and the step check in the UPDATE make two
 * concurrent sweeps safe.
 */
async function runEscalations(deps: Deps): Promise<number> {
  const all = await listQueues(deps.db);
  const priorities = all.map((q) => q.priority);
  let total = 0;
  let rerouted = false;
  for (const q of all) {
    const plan = sortedPlan(q.escalation ?? []);
    if (plan.length === 0) continue;
    const ceiling = priorityCeiling(q.priority, priorities);
    const first = plan[0].afterSeconds;
    const alerts: { conversationId: string; waited: number; afterSeconds: number }[] = [];
    const changed = await deps.db.transaction(async (tx) => {
      const due = (await tx.execute(sql`
        select id, queue_key, priority, escalation_step, overflow_queues,
          extract(epoch from now() - queued_at)::int as waited
        from conversations
        where queue_key = ${q.key} and status in ('waiting', 'offered')
          and escalation_step < ${plan.length}
          and queued_at <= now() - make_interval(secs => ${first})
        order by queued_at
        limit ${ESCALATION_BATCH}
        for update skip locked
      `)) as unknown as DueRow[];
      let n = 0;
      for (const c of due) {
        const out = escalate(
          { priority: c.priority, escalationStep: c.escalation_step, overflowQueues: c.overflow_queues ?? [] },
          plan,
          c.waited,
          ceiling,
        );
        if (out.fired.length === 0) continue;
        const log = out.fired.map((i) => ({ step: i, afterSeconds: plan[i].afterSeconds, at: new Date().toISOString() }));
        await tx.execute(sql`
          update conversations set
            escalation_step = ${out.step},
            overflow_queues = ${sqlTextArray(out.overflowQueues)},
            priority = ${out.priority},
            metadata = jsonb_set(metadata, '{escalations}', coalesce(metadata->'escalations', '[]'::jsonb) || ${JSON.stringify(log)}::jsonb)
          where id = ${c.id} and escalation_step = ${c.escalation_step}
        `);
        n++;
        if (out.notifySupervisors) {
          const at = plan[out.fired.findLast((i) => plan[i].notifySupervisors)!].afterSeconds;
          alerts.push({ conversationId: c.id, waited: c.waited, afterSeconds: at });
        }
      }
      return n;
    });
    for (const a of alerts) {
      deps.realtime.publish([rooms.supervisors], 'supervisor.alert', {
        conversationId: a.conversationId,
        queue: q.key,
        waitingSeconds: a.waited,
        reason: `waiting more than ${a.afterSeconds}s in ${q.key}`,
      });
    }
    if (changed > 0) {
      total += changed;
      rerouted = true;
      deps.log.info({ queue: q.key, escalated: changed }, 'escalation steps fired');
    }
  }
  if (rerouted) await deps.jobs.dispatch('escalated');
  return total;
}

const sqlTextArray = (items: string[]) =>
  items.length === 0
    ? sql`'{}'::text[]`
    : sql`array[${sql.join(
        items.map((i) => sql`${i}`),
        sql`, `,
      )}]::text[]`;
