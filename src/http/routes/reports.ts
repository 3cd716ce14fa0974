import { once } from 'node:events';
import { Router, type Response } from 'express';
import { asc, sql } from 'drizzle-orm';
import { agentQueues, agents, CHANNELS, type Channel } from '../../db/schema.js';
import type { Deps } from '../../core/ports.js';
import { addOpenApiPaths } from '../openapi.js';
import { auditContext, parse, requireSupervisor } from '../middleware.js';
import { recordAudit } from '../../core/audit/record-audit.js';
import { summaryCsv, summaryReport, ZSummaryQuery } from '../../core/reports/summary.js';
import { conversationPage, writeConversationCsv, ZConversationExportQuery } from '../../core/reports/conversation-export.js';

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
    // The organisation's today and hours (TZ setting), as in every report; never the server's.
    const tz = deps.config.timezone;
    const hours = (await db.execute(sql`
      select extract(hour from created_at at time zone ${tz})::int as hour, channel, count(*)::int as count
      from conversations where created_at >= (date_trunc('day', now() at time zone ${tz}) at time zone ${tz})
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

  // Reports over any range of the organisation's days (contract: "Reports, satisfaction and quality").
  r.get('/reports/summary', requireSupervisor, async (req, res) => {
    const q = parse(ZSummaryQuery, req.query);
    const { rows, total } = await summaryReport(db, deps.config.timezone, q);
    if (q.format === 'csv') {
      const { format: _f, ...filters } = q;
      await recordAudit(db, { ...auditContext(req), action: 'report.export', details: { report: 'summary', format: 'csv', ...filters } });
      csvHeaders(res, `switchboard-${q.groupBy}-${q.from}-${q.to}.csv`).send(summaryCsv(rows));
      return;
    }
    res.json({ rows, total, timezone: deps.config.timezone });
  });

  r.get('/reports/conversations', requireSupervisor, async (req, res) => {
    const q = parse(ZConversationExportQuery, req.query);
    // The drill-down's page: figures behind a report row, read on screen (opening one is audited as a view).
    if (q.format === 'json') return void res.json(await conversationPage(db, deps.config.timezone, q));
    const { limit: _l, ...filters } = q;
    await recordAudit(db, { ...auditContext(req), action: 'report.export', details: { report: 'conversations', ...filters } });
    csvHeaders(res, `switchboard-conversations-${q.from}-${q.to}.csv`);
    // Headers are sent with the first chunk: a failure after it can only cut the file short.
    await writeConversationCsv(db, deps.config.timezone, q, async (chunk) => {
      if (!res.write(chunk)) await once(res, 'drain');
    });
    res.end();
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

function csvHeaders(res: Response, filename: string) {
  return res.type('text/csv; charset=utf-8').set('Content-Disposition', `attachment; filename="${filename}"`);
}

/** Narrowing parameters (src/core/reports/filters.ts): `agentId=none` and `disposition=none` pick conversations without one. */
const FILTERS = ['queue', 'agentId', 'channel', 'disposition', 'hour'];

const rangeParams = (extra: string[]): Record<string, unknown>[] => [
  {
    name: 'from',
    in: 'query',
    required: true,
    schema: { type: 'string', format: 'date' },
    description: 'first day (organisation time zone)',
  },
  { name: 'to', in: 'query', required: true, schema: { type: 'string', format: 'date' }, description: 'last day, included' },
  ...extra.map((name) => ({ name, in: 'query', required: false, schema: { type: 'string' } })),
];

addOpenApiPaths({
  '/api/reports/summary': {
    get: {
      summary:
        'Report over a range of days, grouped by queue, agent, channel, day, hour or disposition (supervisor, admin). `format=csv` answers text/csv with the same columns. Metrics: docs/reports.md',
      tags: ['reports'],
      security: [{ bearer: [] }],
      parameters: [
        ...rangeParams(['format', ...FILTERS]),
        {
          name: 'groupBy',
          in: 'query',
          required: false,
          schema: { type: 'string', enum: ['queue', 'agent', 'channel', 'day', 'hour', 'disposition'] },
        },
      ],
      responses: {
        '200': {
          description:
            '`{rows: [{key, created, answered, abandoned, answeredInSla, serviceLevel, avgSpeedOfAnswerSeconds, medianFirstResponseSeconds, avgHandleSeconds, medianResolutionSeconds, csatAverage, csatResponses, label, p90FirstResponseSeconds, resolved, transfers, slaBreaches, csatSent, csatResponseRate, reviewAverage, reviews}], total: {the same figures over the whole report, key null}, timezone}`',
          content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } } },
        },
        '400': { $ref: '#/components/responses/Error' },
        '401': { $ref: '#/components/responses/Error' },
        '403': { $ref: '#/components/responses/Error' },
      },
    },
  },
  '/api/reports/conversations': {
    get: {
      summary:
        'Every conversation created in a range of days as CSV, one line each, figures only (supervisor, admin; extension). Audited as report.export. `format=json&limit=` answers the first `limit` (≤ 500) with ids, for the drill-down',
      tags: ['reports'],
      security: [{ bearer: [] }],
      parameters: rangeParams(['format', 'limit', ...FILTERS]),
      responses: {
        '200': {
          description: 'text/csv; with `format=json`: `{conversations: [{id, number, createdAt, …the CSV columns}], total}`',
          content: { 'text/csv': { schema: { type: 'string' } }, 'application/json': { schema: { type: 'object' } } },
        },
        '400': { $ref: '#/components/responses/Error' },
        '401': { $ref: '#/components/responses/Error' },
        '403': { $ref: '#/components/responses/Error' },
      },
    },
  },
  '/api/reports/today': {
    get: {
      summary: "Today's volumes by channel and by hour, and each agent's assigned work (supervisor, admin; extension)",
      tags: ['reports'],
      security: [{ bearer: [] }],
      responses: {
        '200': {
          description:
            "`byChannel: [{channel, count}]`, `byHour: [{hour, voice, sms, email, slack}]` (24 rows, local hours of the organisation's time zone, `TZ`), `agentLoad: {agentId: {channel: count}}`",
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
