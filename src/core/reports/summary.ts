import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx, Tx } from '../../db/client.js';
import { percent } from '../routing/policy.js';
import { conversationsOf, rangeBounds, ZReportFilters, type RangeBounds } from './filters.js';
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
 * (hang-up to resolve; with a post-call survey, from the agent leaving the call as the survey
 * starts). Messaging: assigned to resolved, less the time it waited on the contact.
 */
export const HANDLE_SECONDS = sql`case
  when c.accepted_at is null then null
  when c.channel = 'voice' then
    (c.metadata->>'talkSeconds')::numeric
    + coalesce(greatest(0, extract(epoch from c.resolved_at
        - coalesce(c.metadata->>'surveyStartedAt', c.metadata->>'endedAt')::timestamptz)), 0)
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
  const filters = conversationsOf(q, tz, await rangeBounds(db, q, tz));
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
 * Each row's group key, hashed by the facts query. Day and hour are looked up rather than
 * converted: `created_at at time zone tz` per row cost a third of a million-row report, so the
 * range is cut into UTC quarter-hours (every time zone's offset, daylight saving included, is a
 * multiple of 15 minutes), each quarter's local day or hour computed once, and a row finds its
 * quarter by binary search (`width_bucket`). The two arrays are uncorrelated subqueries, which
 * Postgres evaluates once per statement (a join to them cost more per row than the lookup).
 */
function groupKey(groupBy: GroupBy, tz: string, bounds: RangeBounds): SQL {
  const quarters = sql`generate_series(${bounds.start.toISOString()}::timestamptz,
    ${bounds.end.toISOString()}::timestamptz - interval '15 minutes', interval '15 minutes') t`;
  const lookup = (local: SQL) =>
    sql`(select array_agg(${local} order by t) from ${quarters})[width_bucket(c.created_at, (select array_agg(t order by t) from ${quarters}))]`;
  switch (groupBy) {
    case 'queue':
      return sql`c.queue_key`;
    case 'agent':
      return sql`c.assignee_id`;
    case 'channel':
      return sql`c.channel`;
    case 'day':
      return lookup(sql`(t at time zone ${tz})::date`);
    case 'hour':
      return lookup(sql`date_part('hour', t at time zone ${tz})::int`);
    case 'disposition':
      return sql`c.disposition`;
  }
}

function keyText(groupBy: GroupBy): SQL {
  if (groupBy === 'day') return sql`to_char(g.gk, 'YYYY-MM-DD')`;
  if (groupBy === 'hour') return sql`g.gk`;
  return sql`g.gk::text collate "default"`;
}

/**
 * The same figures from `conversation_facts` (aliased `c`: the filters read the same column
 * names). Measured at 1,000,000 conversations (docs/reports.md): `percentile_cont … group by`
 * sorted every row of the range by its key before sorting each group's values, and that sort
 * was most of the cost. Here groups are hashed: one pass gathers each group's sums and its
 * values as arrays, and the percentiles sort only those arrays. The total adds up the groups'
 * sums (averages are divided last, so they stay exact) and sorts all the groups' values, in
 * the same statement, so groups and total always describe one snapshot. The resolution median
 * is a second statement run beside the first, so a report uses both cores.
 */
async function figuresFromFacts(db: DbOrTx, tz: string, q: SummaryQuery): Promise<Raw[]> {
  const bounds = await rangeBounds(db, q, tz);
  const filters = conversationsOf(q, tz, bounds);
  const key = groupKey(q.groupBy, tz, bounds);
  const targets = (await db.execute(sql`select key, sla_seconds from queues`)) as unknown as { key: string; sla_seconds: number }[];
  // Each queue's target as a constant of the statement: a JSON lookup per row cost more than the rest of the count.
  const slaSeconds = targets.length
    ? sql`case c.queue_key ${sql.join(
        targets.map((t) => sql`when ${t.key} then ${t.sla_seconds}::numeric`),
        sql` `,
      )} end`
    : sql`null::numeric`;
  const where = sql.join(filters, sql` and `);
  // Sums and counts add up across groups; averages are divided last so the total's are exact.
  // A group's values are its array; the total's, every group's.
  const values = (all: boolean, col: string) => sql.raw(all ? `g, unnest(g.${col}) x` : `unnest(g.${col}) x`);
  const figures = (all: boolean) => {
    const add = (col: string) => sql.raw(all ? `sum(g.${col})` : `g.${col}`);
    return sql`
      ${add('created')}::int as created, ${add('answered')}::int as answered, ${add('abandoned')}::int as abandoned,
      ${add('answered_in_sla')}::int as answered_in_sla,
      (${add('wait_sum')} / nullif(${add('answered')}, 0))::float8 as asa,
      (select percentile_cont(array[0.5, 0.9]) within group (order by x) from ${values(all, 'frts')}) as frt,
      (${add('handle_sum')} / nullif(${add('handled')}, 0))::float8 as aht,
      ${add('resolved')}::int as resolved, ${add('transfers')}::int as transfers, ${add('sla_breaches')}::int as sla_breaches,
      ${add('csat_sent')}::int as csat_sent, ${add('csat_responses')}::int as csat_responses,
      (${add('csat_sum')}::numeric / nullif(${add('csat_responses')}, 0))::float8 as csat_avg,
      ${add('review_sum')}::float8 as review_sum, ${add('reviews')}::int as reviews
      from g`;
  };
  const grouped = (columns: SQL) => sql`
    select ${key} as gk, ${columns}
    from conversation_facts c where ${where} group by 1`;
  const byGroupAndTotal = (g: SQL, figures: (all: boolean) => SQL) => sql`
    with g as (${g})
    select ${keyText(q.groupBy)} as key, 0 as is_total, ${figures(false)}
    union all
    select null, 1, ${figures(true)}
    order by 2, 1 nulls last`;
  const main = byGroupAndTotal(
    grouped(sql`
      count(*) as created,
      count(c.wait_seconds) as answered,
      count(*) filter (where c.abandoned) as abandoned,
      count(*) filter (where c.wait_seconds <= ${slaSeconds}) as answered_in_sla,
      sum(c.wait_seconds) as wait_sum,
      sum(c.handle_seconds) as handle_sum, count(c.handle_seconds) as handled,
      count(*) filter (where c.resolved) as resolved,
      coalesce(sum(c.transfers), 0) as transfers,
      coalesce(sum(c.sla_breaches), 0) as sla_breaches,
      count(*) filter (where c.csat_sent) as csat_sent,
      count(c.csat_score) as csat_responses, sum(c.csat_score) as csat_sum,
      sum(c.review_sum) as review_sum, coalesce(sum(c.reviews), 0) as reviews,
      array_agg(c.first_response_seconds) filter (where c.first_response_seconds is not null) as frts`),
    figures,
  );
  const resolution = byGroupAndTotal(
    grouped(sql`array_agg(c.resolution_seconds) filter (where c.resolution_seconds is not null) as resolutions`),
    (all) => sql`(select percentile_cont(0.5) within group (order by x) from ${values(all, 'resolutions')}) as res_median from g`,
  );
  const run = (query: SQL) => async (tx: Tx) => {
    // A million values fit in memory; JIT costs more to compile than it saves here. The planner
    // cannot estimate how many days or hours the grid lookup yields and guesses one group per
    // row, which picks sorting the whole range over hashing it (enable_sort only steers plans:
    // the percentiles still sort their arrays).
    await tx.execute(
      sql`select set_config('work_mem', '256MB', true), set_config('jit', 'off', true), set_config('enable_sort', 'off', true)`,
    );
    return (await tx.execute(query)) as unknown as (Raw & { frt: number[] | null })[];
  };
  // The resolution median (the largest sort) runs beside the rest, on the second core; inside a
  // caller's transaction the two share its connection, one after the other.
  const [rows, medians] =
    'rollback' in db
      ? [await db.transaction(run(main)), await db.transaction(run(resolution))]
      : await Promise.all([db.transaction(run(main)), db.transaction(run(resolution))]);
  const median = new Map(medians.map((m) => [`${m.is_total}:${m.key}`, m.res_median]));
  return rows.map(({ frt, ...r }) => ({
    ...r,
    frt_median: frt?.[0] ?? null,
    frt_p90: frt?.[1] ?? null,
    res_median: median.get(`${r.is_total}:${r.key}`) ?? null,
  }));
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
