import { sql } from 'drizzle-orm';
import { FIXED_TEXT, type DbOrTx } from '../../db/client.js';
import type { AutoReply, BusinessHours, CallbackOrder, EscalationStep, SlaPolicy } from '../../db/schema.js';
import { loadRoutableAgents } from './dispatch.js';
import { isOpen } from '../business-hours.js';
import { acceptsChannel, percent } from './policy.js';

/** Figures over one period (the rolling window, or today). */
export type PeriodStats = {
  created: number;
  /** Accepted by an agent. */
  answered: number;
  /** Accepted within the queue's service-level target. */
  answeredInSla: number;
  abandoned: number;
  offers: { accepted: number; rejected: number; timedOut: number; canceled: number };
  /** Answered within target, as a percentage of answered plus abandoned; null with no traffic. */
  serviceLevel: number | null;
  /** Abandoned as a percentage of answered plus abandoned; null with no traffic. */
  abandonRate: number | null;
};

export type QueueStats = {
  key: string;
  name: string;
  priority: number;
  slaSeconds: number;
  maxWaitSeconds: number;
  businessHours: BusinessHours | null;
  escalation: EscalationStep[];
  emailFrom: string | null;
  /** Pending conversations with no answer for this long are resolved automatically; null = never. */
  autoResolvePendingSeconds: number | null;
  /** Request SLA targets; null = none. */
  sla: SlaPolicy | null;
  /** Acknowledgement / after-hours texts; null = none. */
  autoReply: AutoReply | null;
  /** Satisfaction survey after resolution (SMS, email, Slack). */
  csat: boolean;
  /** Post-call IVR survey ("press 1 to 5"). */
  csatVoice: boolean;
  /** Callbacks and voicemails against live callers of the same priority. */
  callbackOrder: CallbackOrder;
  /** Open conversations past an SLA due time still running (first response, next response, resolution). */
  slaBreachedOpen: number;
  /** Inside business hours now (always true without hours). */
  open: boolean;
  waiting: number;
  offered: number;
  assigned: number;
  /** Oldest contact still waiting for an agent (waiting or offered), in seconds. */
  longestWaitSeconds: number;
  /** Waiting contacts by priority: `{ "110": 2, "10": 14 }`. */
  byPriority: Record<string, number>;
  /** Agents serving the queue who are available. */
  agentsAvailable: number;
  /** Agents serving the queue who are not offline. */
  agentsOnline: number;
  /** Agents serving the queue who could take one more of its contacts now (presence and free capacity). */
  agentsEligible: number;
  /** Rolling window (STATS_WINDOW_SECONDS). */
  window: PeriodStats & { seconds: number };
  /** Since midnight (database time zone). */
  today: PeriodStats;
  /** Same as window.serviceLevel / window.abandonRate. */
  serviceLevel: number | null;
  abandonRate: number | null;
};

type Row = {
  key: string;
  name: string;
  priority: number;
  sla_seconds: number;
  max_wait_seconds: number;
  business_hours: BusinessHours | null;
  escalation: EscalationStep[] | null;
  email_from: string | null;
  auto_resolve_pending_seconds: number | null;
  sla: SlaPolicy | null;
  auto_reply: AutoReply | null;
  csat: boolean;
  csat_voice: boolean;
  callback_order: CallbackOrder;
  sla_breached_open: number;
  waiting: number;
  offered: number;
  assigned: number;
  longest: number | null;
  agents_available: number;
  agents_online: number;
};
type PeriodRow = {
  queue_key: string;
  period: 'window' | 'today';
  created: number;
  answered: number;
  answered_in_sla: number;
  abandoned: number;
};
type OfferRow = { queue_key: string; period: 'window' | 'today'; status: string; n: number };

/**
 * Live figures per queue. Reads open work through the partial indexes and
 * only this period's rows; called per change (debounced) and per
 * `GET /api/queues`, never per routing decision.
 */
export async function queueStats(
  db: DbOrTx,
  onlyQueues?: string[],
  opts: { windowSeconds?: number; now?: Date } = {},
): Promise<QueueStats[]> {
  const windowSeconds = opts.windowSeconds ?? 3600;
  // Open conversations are read once for both their counts and their SLA breaches.
  const rows = (await db.execute(sql`${FIXED_TEXT}
    select q.key, q.name, q.priority, q.sla_seconds, q.max_wait_seconds, q.business_hours, q.escalation, q.email_from,
      q.auto_resolve_pending_seconds, q.sla, q.auto_reply, q.callback_order, q.csat, q.csat_voice,
      coalesce(o.breached, 0)::int as sla_breached_open,
      coalesce(o.waiting, 0)::int as waiting, coalesce(o.offered, 0)::int as offered,
      coalesce(o.assigned, 0)::int as assigned, o.longest,
      coalesce(ag.available, 0)::int as agents_available, coalesce(ag.online, 0)::int as agents_online
    from queues q
    left join (
      select queue_key,
        count(*) filter (where status = 'waiting') as waiting,
        count(*) filter (where status = 'offered') as offered,
        count(*) filter (where status = 'assigned') as assigned,
        extract(epoch from now() - min(queued_at) filter (where status in ('waiting', 'offered')))::int as longest,
        count(*) filter (where (first_reply_at is null and first_response_due_at <= now()) or next_response_due_at <= now()
          or (status <> 'pending' and resolution_due_at <= now())) as breached
      from conversations where status in ('waiting', 'offered', 'assigned', 'pending', 'snoozed') group by queue_key
    ) o on o.queue_key = q.key
    left join (
      select aq.queue_key,
        count(*) filter (where a.presence = 'available') as available,
        count(*) filter (where a.presence <> 'offline') as online
      from agent_queues aq join agents a on a.id = aq.agent_id group by aq.queue_key
    ) ag on ag.queue_key = q.key
    order by q.priority desc, q.key
  `)) as unknown as Row[];

  const periods = (await db.execute(sql`
    with bounds as (
      select 'window' as period, now() - make_interval(secs => ${windowSeconds}) as since
      union all select 'today', date_trunc('day', now())
    )
    select c.queue_key, b.period,
      count(*)::int as created,
      (count(*) filter (where c.accepted_at is not null))::int as answered,
      (count(*) filter (where c.accepted_at is not null
        and c.accepted_at - c.created_at <= make_interval(secs => qq.sla_seconds)))::int as answered_in_sla,
      (count(*) filter (where c.status = 'abandoned'))::int as abandoned
    from bounds b
    join conversations c on c.created_at >= b.since
    join queues qq on qq.key = c.queue_key
    group by c.queue_key, b.period
  `)) as unknown as PeriodRow[];

  const offers = (await db.execute(sql`
    with bounds as (
      select 'window' as period, now() - make_interval(secs => ${windowSeconds}) as since
      union all select 'today', date_trunc('day', now())
    )
    select c.queue_key, b.period, r.status, count(*)::int as n
    from bounds b
    join reservations r on r.created_at >= b.since
    join conversations c on c.id = r.conversation_id
    group by c.queue_key, b.period, r.status
  `)) as unknown as OfferRow[];

  const waitingByPriority = (await db.execute(sql`${FIXED_TEXT}
    select queue_key, priority, count(*)::int as n from conversations
    where status = 'waiting' group by queue_key, priority
  `)) as unknown as { queue_key: string; priority: number; n: number }[];

  const pool = await loadRoutableAgents(db);
  const now = opts.now ?? new Date();

  const period = (key: string, p: 'window' | 'today'): PeriodStats => {
    const r = periods.find((x) => x.queue_key === key && x.period === p);
    const o = (status: string) => offers.find((x) => x.queue_key === key && x.period === p && x.status === status)?.n ?? 0;
    const answered = r?.answered ?? 0;
    const abandoned = r?.abandoned ?? 0;
    const answeredInSla = r?.answered_in_sla ?? 0;
    return {
      created: r?.created ?? 0,
      answered,
      answeredInSla,
      abandoned,
      offers: { accepted: o('accepted'), rejected: o('rejected'), timedOut: o('timeout'), canceled: o('canceled') },
      serviceLevel: percent(answeredInSla, answered + abandoned),
      abandonRate: percent(abandoned, answered + abandoned),
    };
  };

  return rows
    .filter((r) => !onlyQueues || onlyQueues.includes(r.key))
    .map((r) => {
      const window = { seconds: windowSeconds, ...period(r.key, 'window') };
      const byPriority: Record<string, number> = {};
      for (const w of waitingByPriority) if (w.queue_key === r.key) byPriority[String(w.priority)] = w.n;
      const agentsEligible = pool.filter(
        (a) =>
          a.levels[r.key] !== undefined &&
          (Object.keys(a.free) as (keyof typeof a.free)[]).some((ch) => a.free[ch] > 0 && acceptsChannel(a.presence, ch)),
      ).length;
      return {
        key: r.key,
        name: r.name,
        priority: r.priority,
        slaSeconds: r.sla_seconds,
        maxWaitSeconds: r.max_wait_seconds,
        businessHours: r.business_hours,
        escalation: r.escalation ?? [],
        emailFrom: r.email_from,
        autoResolvePendingSeconds: r.auto_resolve_pending_seconds,
        sla: r.sla,
        autoReply: r.auto_reply,
        csat: r.csat,
        csatVoice: r.csat_voice,
        callbackOrder: r.callback_order,
        slaBreachedOpen: r.sla_breached_open,
        open: isOpen(r.business_hours, now),
        waiting: r.waiting,
        offered: r.offered,
        assigned: r.assigned,
        longestWaitSeconds: Math.max(0, r.longest ?? 0),
        byPriority,
        agentsAvailable: r.agents_available,
        agentsOnline: r.agents_online,
        agentsEligible,
        window,
        today: period(r.key, 'today'),
        serviceLevel: window.serviceLevel,
        abandonRate: window.abandonRate,
      };
    });
}
