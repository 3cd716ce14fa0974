import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx, Tx } from '../../db/client.js';
import { percent } from '../routing/policy.js';
import { conversationsOf, ZReportFilters } from './filters.js';
import { daysOf, ZRange, type DateRange } from './range.js';

export const GROUP_BYS = ['queue', 'agent', 'channel', 'day', 'hour', 'disposition'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

export const ZSummaryQuery = ZRange.and(
  ZReportFilters.extend({
    groupBy: z.enum(GROUP_BYS).default('day'),
    format: z.enum(['json', 'csv']).default('json'),
  }),
);
export type SummaryQuery = z.output<typeof ZSummaryQuery>;

/** One row of a report: the figures of the conversations created in the range that share `key`. See docs/reports.md. */
export type SummaryRow = {
  /** Queue key, agent id, channel, day (YYYY-MM-DD), hour (0–23) or disposition code; null = none (unassigned, no disposition). */
  key: string | number | null;
  /** Queue, agent or disposition name (extension). */
  label: string | null;
  created: number;
  answered: number;
  abandoned: number;
  answeredInSla: number;
  serviceLevel: number | null;
  avgSpeedOfAnswerSeconds: number | null;
  medianFirstResponseSeconds: number | null;
  p90FirstResponseSeconds: number | null;
  avgHandleSeconds: number | null;
  medianResolutionSeconds: number | null;
  resolved: number;
  transfers: number;
  /** SLA breaches recorded on these conversations (first response, next response, resolution). */
  slaBreaches: number;
  csatAverage: number | null;
  csatResponses: number;
  csatSent: number;
  csatResponseRate: number | null;
  reviewAverage: number | null;
  reviews: number;
};

/** The contract's columns first, in its order; then the extensions. Also the CSV header. */
export const SUMMARY_COLUMNS = [
  'key',
  'created',
  'answered',
  'abandoned',
  'answeredInSla',
  'serviceLevel',
  'avgSpeedOfAnswerSeconds',
  'medianFirstResponseSeconds',
  'avgHandleSeconds',
  'medianResolutionSeconds',
  'csatAverage',
  'csatResponses',
  'label',
  'p90FirstResponseSeconds',
  'resolved',
  'transfers',
  'slaBreaches',
  'csatSent',
  'csatResponseRate',
  'reviewAverage',
  'reviews',
] as const satisfies readonly (keyof SummaryRow)[];

type Raw = {
  key: string | number | null;
  /** 1 on the row that totals the whole report (grouping set `()`). */
  is_total: number;
  created: number;
  answered: number;
  abandoned: number;
  answered_in_sla: number;
  asa: number | null;
  frt_median: number | null;
  frt_p90: number | null;
  aht: number | null;
  res_median: number | null;
  resolved: number;
  transfers: number;
  sla_breaches: number;
  csat_sent: number;
  csat_responses: number;
  csat_avg: number | null;
  review_sum: number | null;
  reviews: number;
};

function keyExpr(groupBy: GroupBy, tz: string): SQL {
  switch (groupBy) {
    case 'queue':
      return sql`c.queue_key`;
    case 'agent':
      return sql`c.assignee_id::text`;
    case 'channel':
      return sql`c.channel`;
    case 'day':
      return sql`to_char(c.created_at at time zone ${tz}, 'YYYY-MM-DD')`;
    case 'hour':
      return sql`extract(hour from c.created_at at time zone ${tz})::int`;
    case 'disposition':
      return sql`c.disposition`;
  }
}

/**
 * Seconds an agent spent on it. Voice: talk (answer to hang-up, hold included) plus wrap-up
 * (hang-up to resolve). Messaging: assigned to resolved, less the time it waited on the contact.
 */
export const HANDLE_SECONDS = sql`case
  when c.accepted_at is null then null
  when c.channel = 'voice' then
    (c.metadata->>'talkSeconds')::numeric
    + coalesce(greatest(0, extract(epoch from c.resolved_at - (c.metadata->>'endedAt')::timestamptz)), 0)
  when c.resolved_at is null then null
  else greatest(0, extract(epoch from c.resolved_at - c.accepted_at) - c.pending_seconds)
end`;

/** Conversations we started (outbound SMS/mail, callbacks we placed) were never waiting to be answered. */
const INBOUND = sql`coalesce(c.metadata->>'direction', 'inbound') <> 'outbound'`;

export type SummaryReport = {
  rows: SummaryRow[];
  /** The same figures over every conversation of the report (extension): percentiles cannot be added up from rows. */
  total: SummaryRow;
};

/**
 * Where the figures are read: `facts` (the default) is `conversation_facts`, one narrow row per
 * conversation kept by triggers (migrations/0018); `conversations` scans the conversations with
 * their surveys and reviews, the definition itself — kept as the reference the facts are
 * checked against (test/reports-facts.test.ts, bench/reports.ts). Both give the same answers.
 */
export type SummarySource = 'facts' | 'conversations';

/** Report figures for conversations created in the range (organisation's days), grouped and in total; computed in one SQL pass. */
export async function summaryReport(
  db: DbOrTx,
  tz: string,
  q: SummaryQuery,
  { source = 'facts' }: { source?: SummarySource } = {},
): Promise<SummaryReport> {
  const rows = source === 'facts' ? await figuresFromFacts(db, tz, q) : await figuresFromConversations(db, tz, q);
  const total = rows.find((r) => r.is_total === 1);
  const groups = rows.filter((r) => r.is_total !== 1);
  const byKey = new Map(groups.map((r) => [r.key, r]));
  // Days and hours are listed even when nothing happened, so charts show the gaps.
  let keys: (string | number | null)[] = groups.map((r) => r.key);
  if (q.groupBy === 'day') keys = daysOf(q);
  if (q.groupBy === 'hour') keys = Array.from({ length: 24 }, (_, h) => h);
  const labels = await labelsFor(db, q.groupBy, keys);
  return { rows: keys.map((k) => toRow(k, labels.get(k) ?? null, byKey.get(k))), total: toRow(null, null, total) };
}

async function figuresFromConversations(db: DbOrTx, tz: string, q: SummaryQuery): Promise<Raw[]> {
  const key = keyExpr(q.groupBy, tz);
  const filters = conversationsOf(q, tz);
  return (await db.execute(sql`
    with rv as (
      select conversation_id, sum(average) as review_sum, count(*) as reviews
      from quality_reviews group by conversation_id
    )
    select k.key, grouping(k.key) as is_total,
      count(*)::int as created,
      (count(*) filter (where c.accepted_at is not null and ${INBOUND}))::int as answered,
      (count(*) filter (where c.status = 'abandoned'))::int as abandoned,
      (count(*) filter (where c.accepted_at is not null and ${INBOUND}
        and c.accepted_at - c.created_at <= make_interval(secs => q.sla_seconds)))::int as answered_in_sla,
      avg(extract(epoch from c.accepted_at - c.created_at)) filter (where ${INBOUND})::float8 as asa,
      percentile_cont(0.5) within group (order by extract(epoch from c.first_reply_at - c.created_at))
        filter (where ${INBOUND}) as frt_median,
      percentile_cont(0.9) within group (order by extract(epoch from c.first_reply_at - c.created_at))
        filter (where ${INBOUND}) as frt_p90,
      avg(${HANDLE_SECONDS})::float8 as aht,
      percentile_cont(0.5) within group (order by extract(epoch from c.resolved_at - c.created_at)) as res_median,
      (count(*) filter (where c.status = 'resolved'))::int as resolved,
      coalesce(sum(c.transfer_count), 0)::int as transfers,
      coalesce(sum(jsonb_array_length(c.sla_breaches)), 0)::int as sla_breaches,
      count(s.conversation_id)::int as csat_sent,
      count(s.score)::int as csat_responses,
      avg(s.score)::float8 as csat_avg,
      sum(rv.review_sum)::float8 as review_sum,
      coalesce(sum(rv.reviews), 0)::int as reviews
    from conversations c
    cross join lateral (select ${key} as key) k
    join queues q on q.key = c.queue_key
    left join csat_surveys s on s.conversation_id = c.id
    left join rv on rv.conversation_id = c.id
    where ${sql.join(filters, sql` and `)}
    group by grouping sets ((k.key), ())
    order by 2, 1 nulls last
  `)) as unknown as Raw[];
}

/**
 * Grouping keys in types that sort fast (uuid, date, int, bytewise text): sort-based grouping
 * (percentiles rule out hashing) sorts every row of the range by its key, and at a million rows
 * a collation-aware sort of `to_char` or `uuid::text` strings costs seconds. Turned back into
 * the scan's key text by `keyText`.
 */
function fastKeyExpr(groupBy: GroupBy, tz: string): SQL {
  switch (groupBy) {
    case 'queue':
      return sql`c.queue_key collate "C"`;
    case 'agent':
      return sql`c.assignee_id`;
    case 'channel':
      return sql`c.channel collate "C"`;
    case 'day':
      return sql`(c.created_at at time zone ${tz})::date`;
    case 'hour':
      return sql`date_part('hour', c.created_at at time zone ${tz})::int`;
    case 'disposition':
      return sql`c.disposition collate "C"`;
  }
}

function keyText(groupBy: GroupBy): SQL {
  if (groupBy === 'day') return sql`to_char(f.gk, 'YYYY-MM-DD')`;
  if (groupBy === 'hour') return sql`f.gk`;
  return sql`f.gk::text collate "default"`;
}

/**
 * The same figures from `conversation_facts` (aliased `c`: the filters read the same column
 * names). Measured at 1,000,000 conversations in the range (docs/reports.md): the scan above
 * spends its time on wide rows, the survey and review joins, sorts spilled to disk, JIT
 * compilation and sorting text keys; here rows are narrow, keys sort as native types, the two
 * first-response percentiles share one sort, the queues' targets come as one JSON parameter
 * instead of a join the planner ran as a nested loop, and the groups and the total are two
 * queries that run at once (the total's percentiles sort every value of the range again).
 */
async function figuresFromFacts(db: DbOrTx, tz: string, q: SummaryQuery): Promise<Raw[]> {
  const filters = conversationsOf(q, tz);
  const targets = (await db.execute(sql`select key, sla_seconds from queues`)) as unknown as { key: string; sla_seconds: number }[];
  const slaSeconds = JSON.stringify(Object.fromEntries(targets.map((t) => [t.key, t.sla_seconds])));
  const figures = sql`
    count(*)::int as created,
    count(c.wait_seconds)::int as answered,
    (count(*) filter (where c.abandoned))::int as abandoned,
    (count(*) filter (where c.wait_seconds <= (${slaSeconds}::jsonb ->> c.queue_key)::int))::int as answered_in_sla,
    avg(c.wait_seconds)::float8 as asa,
    percentile_cont(array[0.5, 0.9]) within group (order by c.first_response_seconds) as frt,
    avg(c.handle_seconds)::float8 as aht,
    percentile_cont(0.5) within group (order by c.resolution_seconds) as res_median,
    (count(*) filter (where c.resolved))::int as resolved,
    coalesce(sum(c.transfers), 0)::int as transfers,
    coalesce(sum(c.sla_breaches), 0)::int as sla_breaches,
    (count(*) filter (where c.csat_sent))::int as csat_sent,
    count(c.csat_score)::int as csat_responses,
    avg(c.csat_score)::float8 as csat_avg,
    sum(c.review_sum)::float8 as review_sum,
    coalesce(sum(c.reviews), 0)::int as reviews`;
  const where = sql.join(filters, sql` and `);
  const groups = sql`
    select ${keyText(q.groupBy)} as key, 0 as is_total, f.* from (
      select ${fastKeyExpr(q.groupBy, tz)} as gk, ${figures} from conversation_facts c where ${where} group by 1
    ) f order by 1 nulls last`;
  const total = sql`select null as key, 1 as is_total, ${figures} from conversation_facts c where ${where}`;
  const run = (query: SQL) => async (tx: Tx) => {
    // Percentile sorts of a million values fit in memory; JIT costs more to compile than it saves here.
    await tx.execute(sql`select set_config('work_mem', '256MB', true), set_config('jit', 'off', true)`);
    return (await tx.execute(query)) as unknown as (Raw & { frt: number[] | null; gk?: unknown })[];
  };
  // Inside a caller's transaction the two share its connection, one after the other.
  const [rows, totals] =
    'rollback' in db
      ? [await db.transaction(run(groups)), await db.transaction(run(total))]
      : await Promise.all([db.transaction(run(groups)), db.transaction(run(total))]);
  return [...rows, ...totals].map(({ frt, gk: _gk, ...r }) => ({ ...r, frt_median: frt?.[0] ?? null, frt_p90: frt?.[1] ?? null }));
}

const round1 = (v: number | null | undefined) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);

function toRow(key: string | number | null, label: string | null, r: Raw | undefined): SummaryRow {
  const answered = r?.answered ?? 0;
  const abandoned = r?.abandoned ?? 0;
  const csatSent = r?.csat_sent ?? 0;
  const csatResponses = r?.csat_responses ?? 0;
  const reviews = r?.reviews ?? 0;
  return {
    key,
    label,
    created: r?.created ?? 0,
    answered,
    abandoned,
    answeredInSla: r?.answered_in_sla ?? 0,
    serviceLevel: percent(r?.answered_in_sla ?? 0, answered + abandoned),
    avgSpeedOfAnswerSeconds: round1(r?.asa),
    medianFirstResponseSeconds: round1(r?.frt_median),
    p90FirstResponseSeconds: round1(r?.frt_p90),
    avgHandleSeconds: round1(r?.aht),
    medianResolutionSeconds: round1(r?.res_median),
    resolved: r?.resolved ?? 0,
    transfers: r?.transfers ?? 0,
    slaBreaches: r?.sla_breaches ?? 0,
    csatAverage: csatResponses > 0 ? Math.round((r?.csat_avg ?? 0) * 100) / 100 : null,
    csatResponses,
    csatSent,
    csatResponseRate: percent(csatResponses, csatSent),
    reviewAverage: reviews > 0 ? Math.round(((r?.review_sum ?? 0) / reviews) * 100) / 100 : null,
    reviews,
  };
}

async function labelsFor(db: DbOrTx, groupBy: GroupBy, keys: (string | number | null)[]): Promise<Map<string | number | null, string>> {
  const ids = keys.filter((k): k is string => typeof k === 'string');
  if (!ids.length) return new Map();
  if (groupBy === 'agent') {
    const rows = (await db.execute(sql`select id::text as key, name from agents`)) as unknown as { key: string; name: string }[];
    return new Map(rows.map((r) => [r.key, r.name]));
  }
  if (groupBy === 'disposition') {
    // A code may exist per queue too: the global label wins, archived codes keep theirs.
    const rows = (await db.execute(
      sql`select distinct on (code) code as key, label from dispositions order by code, (queue_key is null) desc, created_at`,
    )) as unknown as { key: string; label: string }[];
    return new Map(rows.map((r) => [r.key, r.label]));
  }
  if (groupBy === 'queue') {
    const rows = (await db.execute(sql`select key, name from queues`)) as unknown as { key: string; name: string }[];
    return new Map(rows.map((r) => [r.key, r.name]));
  }
  return new Map();
}

/** RFC 4180 cell; a leading = + - @ is defused so spreadsheets never run it as a formula. */
export function csvCell(v: unknown): string {
  let s =
    v === null || v === undefined
      ? ''
      : typeof v === 'string'
        ? v
        : typeof v === 'number' || typeof v === 'boolean'
          ? String(v)
          : JSON.stringify(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (cells: unknown[]) => cells.map(csvCell).join(',') + '\r\n';

export function summaryCsv(rows: SummaryRow[]): string {
  return csvLine([...SUMMARY_COLUMNS]) + rows.map((r) => csvLine(SUMMARY_COLUMNS.map((c) => r[c]))).join('');
}

export type { DateRange };
