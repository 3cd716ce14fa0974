import { Router } from 'express';
import { asc, sql } from 'drizzle-orm';
import { agentQueues, agents, CHANNELS, type Channel } from '../../db/schema.js';
import type { Deps } from '../../core/ports.js';
import { addOpenApiPaths } from '../openapi.js';
import { requireSupervisor } from '../middleware.js';

type HourRow = { hour: number; channel: Channel; count: number };
type LoadRow = { agent_id: string; channel: Channel; count: number };

/**
 * Small read-only endpoints for the desk (extensions to the contract):
 * today's volumes for the supervisor wallboard, and an agent directory any
 * agent may read to pick a transfer target. Mounted by apiRouter after auth.
 */
export function reportsRouter(deps: Deps): Router {
  const r = Router();
  const { db } = deps;

  r.get('/reports/today', requireSupervisor, async (_req, res) => {
    // Server time zone, the same "today" as the queue figures.
    const hours = (await db.execute(sql`
      select extract(hour from created_at)::int as hour, channel, count(*)::int as count
      from conversations where created_at >= date_trunc('day', now())
      group by 1, 2 order by 1
    `)) as unknown as HourRow[];
    const load = (await db.execute(sql`
      select assignee_id as agent_id, channel, count(*)::int as count
      from conversations where status = 'assigned' and assignee_id is not null
      group by 1, 2
    `)) as unknown as LoadRow[];
    const byHour = Array.from({ length: 24 }, (_, hour) => ({
      hour,
      ...(Object.fromEntries(CHANNELS.map((c) => [c, 0])) as Record<Channel, number>),
    }));
    for (const h of hours) byHour[h.hour][h.channel] += h.count;
    const byChannel = CHANNELS.map((channel) => ({
      channel,
      count: hours.filter((h) => h.channel === channel).reduce((a, h) => a + h.count, 0),
    }));
    const agentLoad: Record<string, Partial<Record<Channel, number>>> = {};
    for (const l of load) (agentLoad[l.agent_id] ??= {})[l.channel] = l.count;
    res.json({ byChannel, byHour, agentLoad });
  });

  r.get('/directory/agents', async (_req, res) => {
    const rows = await db.select({ id: agents.id, name: agents.name, presence: agents.presence }).from(agents).orderBy(asc(agents.name));
    const memberships = await db.select({ agentId: agentQueues.agentId, queue: agentQueues.queueKey }).from(agentQueues);
    res.json({
      agents: rows.map((a) => ({
        ...a,
        queues: memberships
          .filter((m) => m.agentId === a.id)
          .map((m) => m.queue)
          .sort(),
      })),
    });
  });

  return r;
}

addOpenApiPaths({
  '/api/reports/today': {
    get: {
      summary: "Today's volumes by channel and by hour, and each agent's assigned work (supervisor, admin; extension)",
      tags: ['reports'],
      security: [{ bearer: [] }],
      responses: {
        '200': {
          description:
            '`byChannel: [{channel, count}]`, `byHour: [{hour, voice, sms, email, slack}]` (24 rows, server time zone), `agentLoad: {agentId: {channel: count}}`',
          content: { 'application/json': { schema: { type: 'object' } } },
        },
        '401': { $ref: '#/components/responses/Error' },
        '403': { $ref: '#/components/responses/Error' },
      },
    },
  },
  '/api/directory/agents': {
    get: {
      summary: 'Every agent with presence and queues, to choose a transfer target (any agent; extension)',
      tags: ['agents'],
      security: [{ bearer: [] }],
      responses: {
        '200': { description: '`agents: [{id, name, presence, queues}]`', content: { 'application/json': { schema: { type: 'object' } } } },
        '401': { $ref: '#/components/responses/Error' },
      },
    },
  },
});
