import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';

export type QueueStats = {
  key: string;
  name: string;
  priority: number;
  slaSeconds: number;
  waiting: number;
  offered: number;
  assigned: number;
  longestWaitSeconds: number;
  agentsAvailable: number;
  agentsOnline: number;
  /** Today (server time zone): conversations created, answered, answered within target, abandoned. */
  today: { created: number; answered: number; answeredInSla: number; abandoned: number };
  /** Answered within the target, as a share of answered plus abandoned today; null with no traffic. */
  serviceLevel: number | null;
  abandonRate: number | null;
};

type Row = {
  key: string; name: string; priority: number; sla_seconds: number;
  waiting: number; offered: number; assigned: number; longest: number | null;
  agents_available: number; agents_online: number;
  created: number; answered: number; answered_in_sla: number; abandoned: number;
};

/** Live figures per queue; one round trip, reading only open work and today's rows. */
export async function queueStats(db: DbOrTx, onlyQueues?: string[]): Promise<QueueStats[]> {
  const rows = (await db.execute(sql`
    select q.key, q.name, q.priority, q.sla_seconds,
      coalesce(o.waiting, 0)::int as waiting, coalesce(o.offered, 0)::int as offered,
      coalesce(o.assigned, 0)::int as assigned, o.longest,
      coalesce(ag.available, 0)::int as agents_available, coalesce(ag.online, 0)::int as agents_online,
      coalesce(t.created, 0)::int as created, coalesce(t.answered, 0)::int as answered,
      coalesce(t.answered_in_sla, 0)::int as answered_in_sla, coalesce(t.abandoned, 0)::int as abandoned
    from queues q
    left join (
      select queue_key,
        count(*) filter (where status = 'waiting') as waiting,
        count(*) filter (where status = 'offered') as offered,
        count(*) filter (where status = 'assigned') as assigned,
        extract(epoch from now() - min(queued_at) filter (where status in ('waiting', 'offered')))::int as longest
      from conversations where status in ('waiting', 'offered', 'assigned') group by queue_key
    ) o on o.queue_key = q.key
    left join (
      select aq.queue_key,
        count(*) filter (where a.presence = 'available') as available,
        count(*) filter (where a.presence <> 'offline') as online
      from agent_queues aq join agents a on a.id = aq.agent_id group by aq.queue_key
    ) ag on ag.queue_key = q.key
    left join (
      select c.queue_key,
        count(*) as created,
        count(*) filter (where c.accepted_at is not null) as answered,
        count(*) filter (where c.accepted_at is not null
          and c.accepted_at - c.created_at <= make_interval(secs => qq.sla_seconds)) as answered_in_sla,
        count(*) filter (where c.status = 'abandoned') as abandoned
      from conversations c join queues qq on qq.key = c.queue_key
      where c.created_at >= date_trunc('day', now()) group by c.queue_key
    ) t on t.queue_key = q.key
    order by q.priority desc, q.key
  `)) as unknown as Row[];
  return rows
    .filter((r) => !onlyQueues || onlyQueues.includes(r.key))
    .map((r) => {
      const finished = r.answered + r.abandoned;
      return {
        key: r.key,
        name: r.name,
        priority: r.priority,
        slaSeconds: r.sla_seconds,
        waiting: r.waiting,
        offered: r.offered,
        assigned: r.assigned,
        longestWaitSeconds: Math.max(0, r.longest ?? 0),
        agentsAvailable: r.agents_available,
        agentsOnline: r.agents_online,
        today: { created: r.created, answered: r.answered, answeredInSla: r.answered_in_sla, abandoned: r.abandoned },
        serviceLevel: finished > 0 ? Math.round((r.answered_in_sla / finished) * 1000) / 10 : null,
        abandonRate: finished > 0 ? Math.round((r.abandoned / finished) * 1000) / 10 : null,
      };
    });
}
