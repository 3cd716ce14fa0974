/**
 * Reports benchmark: a scratch database (created and dropped here) filled with
 * generate_series — BENCH_ROWS (1,000,000) conversations inside the last 90 days and
 * BENCH_OLDER_ROWS (a quarter as many) over the rest of the year, across 5 queues,
 * 4 channels and 200 agents, with CSAT answers, SLA breaches and reviews — then the
 * report (src/core/reports/summary.ts) timed over the last 90 days for every grouping
 * and over the whole year, from `conversation_facts` and, in the same run, from the
 * scan of the conversations it replaced; the two answers must be identical.
 *
 *   npm run bench:reports          (BENCH_PG_URL to point elsewhere, BENCH_ROWS, BENCH_OLDER_ROWS, BENCH_REPS;
 *                                   BENCH_KEEP=1 keeps the database, BENCH_DB=<name> measures a kept one again the same day)
 *
 * Figures are the median of BENCH_REPS warm runs, in the organisation's time zone
 * America/New_York (day boundaries computed in SQL, as in production). The seed runs
 * with the fact triggers off and then fills `conversation_facts` with the migration's
 * own backfill statement, whose time is printed too (what an existing install's upgrade costs).
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { DEFAULT_QUEUES } from '../src/core/conversations/types.js';
import { dayStart } from '../src/core/reports/filters.js';
import { summaryReport, GROUP_BYS, type SummaryQuery, type SummarySource } from '../src/core/reports/summary.js';
import { connectDb, ensureDatabase, migrateDb, type Db } from '../src/db/client.js';
import { queues } from '../src/db/schema.js';

const ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Conversations inside the 90-day range (the target: 1,000,000 of them in the report). */
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
/** Older conversations spread over the rest of the year, for the whole-year figure. */
const OLDER_ROWS = Number(process.env.BENCH_OLDER_ROWS ?? Math.round(ROWS / 4));
const REPS = Number(process.env.BENCH_REPS ?? 5);
const TZ = 'America/New_York';

/** BENCH_DB: a database an earlier run kept (BENCH_KEEP=1), measured again without seeding it. */
const REUSE = process.env.BENCH_DB;
const dbName = REUSE ?? `sb_bench_reports_${randomBytes(3).toString('hex')}`;
const url = new URL(ADMIN_URL);
url.pathname = `/${dbName}`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const out = (s: string) => process.stdout.write(s + '\n');
const last90 = { from: day(-89), to: day(0) };
const year = { from: day(-364), to: day(0) };

/** Fills the scratch database (a quarter of it before the 90 days) and builds the facts as an upgrade would. */
async function seed(db: Db) {
  const t0 = performance.now();
  // Row by row the triggers would triple the seed time; the backfill below does their work at once.
  for (const t of ['conversations', 'csat_surveys', 'quality_reviews']) await db.execute(sql.raw(`alter table ${t} disable trigger user`));
  await db.execute(sql`
    insert into agents (id, email, name, password_hash)
    select gen_random_uuid(), 'agent' || g || '@bench.test', 'Agent ' || g, 'x' from generate_series(1, 200) g`);
  await db.execute(sql`insert into contacts (id, name) select gen_random_uuid(), 'Bench contact' from generate_series(1, 1000)`);
  // One pass: random arrival in the last year, ~6 % abandoned, the rest answered, most resolved.
  await db.execute(sql`
    with a as (select array_agg(id) ids from agents),
    ct as (select array_agg(id) ids from contacts),
    q as (select array_agg(key order by key) keys from queues),
    g as (
      select n, case when n <= ${ROWS}
          then ${dayStart(last90.from, TZ)} + random() * (now() - ${dayStart(last90.from, TZ)})
          else ${dayStart(year.from, TZ)} + random() * (${dayStart(last90.from, TZ)} - ${dayStart(year.from, TZ)}) end as created,
        random() r1, random() r2, random() r3, (n % 4) ch
      from generate_series(1, ${ROWS + OLDER_ROWS}) n
    )
    insert into conversations (contact_id, channel, queue_key, status, assignee_id, inbox_address, thread_key,
      created_at, queued_at, accepted_at, first_reply_at, resolved_at, abandoned_at, pending_seconds, disposition,
      transfer_count, metadata, sla_breaches)
    select ct.ids[1 + n % 1000],
      (array['voice','sms','email','slack'])[1 + ch],
      q.keys[1 + n % array_length(q.keys, 1)],
      case when r1 < 0.06 then 'abandoned' when r1 < 0.9 then 'resolved' else 'assigned' end,
      case when r1 < 0.06 then null else a.ids[1 + n % 200] end,
      '+15005550006', 'bench-' || n,
      created, created,
      case when r1 < 0.06 then null else created + (r2 * 180) * interval '1 second' end,
      case when r1 < 0.06 or ch = 0 then null else created + (30 + r3 * 900) * interval '1 second' end,
      case when r1 >= 0.06 and r1 < 0.9 then created + (600 + r2 * 86400) * interval '1 second' end,
      case when r1 < 0.06 then created + (r3 * 300) * interval '1 second' end,
      case when ch > 0 and r3 < 0.2 then (r2 * 3600)::int else 0 end,
      case when r1 >= 0.06 and r1 < 0.9 then (array['resolved','answered','info-provided','donation-updated'])[1 + n % 4] end,
      case when r3 < 0.05 then 1 else 0 end,
      case when ch = 0 and r1 >= 0.06 then jsonb_build_object('talkSeconds', (60 + r3 * 600)::int,
        'endedAt', created + (r2 * 180 + 60 + r3 * 600) * interval '1 second') else '{}'::jsonb end,
      case when r3 > 0.97 then jsonb_build_array(jsonb_build_object('kind', 'firstResponse', 'at', created, 'dueAt', created))
        else '[]'::jsonb end
    from g, a, ct, q`);
  await db.execute(sql`
    insert into csat_surveys (conversation_id, channel, sent_at, expires_at, score, answered_at)
    select id, channel, resolved_at, resolved_at + interval '1 day',
      case when random() < 0.4 then 1 + (random() * 4)::int end, case when random() < 0.4 then resolved_at end
    from conversations where status = 'resolved' and channel <> 'voice'`);
  await db.execute(sql`update csat_surveys set score = null where answered_at is null`);
  await db.execute(sql`update csat_surveys set score = 3 where answered_at is not null and score is null`);
  await db.execute(sql`
    insert into quality_reviews (conversation_id, agent_id, scores, average)
    select id, assignee_id, '{"greeting":4,"accuracy":3}'::jsonb, 3.5
    from conversations where status = 'resolved' and random() < 0.01`);
  for (const t of ['conversations', 'csat_surveys', 'quality_reviews']) await db.execute(sql.raw(`alter table ${t} enable trigger user`));
  const [{ n }] = (await db.execute(sql`select count(*)::int n from conversations`)) as unknown as { n: number }[];
  out(`seeded ${n.toLocaleString('en')} conversations in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const t1 = performance.now();
  await db.execute(sql`insert into conversation_facts select * from conversation_facts_source`); // migrations/0018's backfill
  out(`backfilled conversation_facts in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  await db.execute(sql`vacuum analyze`);
}

async function main() {
  await ensureDatabase(url.toString());
  await migrateDb(url.toString());
  const handle = connectDb(url.toString(), { max: 2 });
  const { db } = handle;
  try {
    await db
      .insert(queues)
      .values(DEFAULT_QUEUES.map((q) => ({ ...q })))
      .onConflictDoNothing();
    out(
      `load average at start: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (${new Date().toISOString()})`,
    );
    if (!REUSE) await seed(db);
    if (process.env.BENCH_SEED_ONLY) return;

    const run = async (q: SummaryQuery, source: SummarySource) => {
      const s = performance.now();
      const report = await summaryReport(db, TZ, q, { source });
      return { ms: performance.now() - s, report };
    };
    const time = async (q: SummaryQuery) => {
      // The scan is the reference: run once, its answer must equal the facts'. Then the facts,
      // warm, BENCH_REPS times.
      const scan = await run(q, 'conversations');
      const first = await run(q, 'facts');
      const ms: number[] = [];
      for (let i = 0; i < REPS; i++) ms.push((await run(q, 'facts')).ms);
      return {
        scan: scan.ms,
        facts: median(ms),
        factsMin: Math.min(...ms),
        same: JSON.stringify(scan.report) === JSON.stringify(first.report),
        created: first.report.total.created,
        rows: first.report.rows.length,
      };
    };
    out(
      `\n| range | groupBy | conversations | scan ms (once) | facts ms (median) | facts ms (min) | same answers |\n|---|---|---|---|---|---|---|`,
    );
    let allSame = true;
    for (const [name, range] of [
      ['90 days', last90],
      ['365 days', year],
    ] as const) {
      for (const groupBy of GROUP_BYS) {
        if (name === '365 days' && groupBy !== 'day' && groupBy !== 'agent') continue;
        const r = await time({ ...range, groupBy, format: 'json' });
        allSame &&= r.same;
        out(
          `| ${name} | ${groupBy} (${r.rows} rows) | ${r.created.toLocaleString('en')} | ${r.scan.toFixed(0)} | ${r.facts.toFixed(0)} | ${r.factsMin.toFixed(0)} | ${r.same ? 'yes' : 'NO'} |`,
        );
      }
    }
    out(
      `\nfacts: median and fastest of ${REPS} warm runs each; load average at end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    if (!allSame) throw new Error('facts and scan disagree');
  } finally {
    await handle.close();
  }
}

main()
  .catch((err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    if (process.env.BENCH_KEEP || REUSE) return void process.stdout.write(`kept ${dbName}\n`);
    const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists "${dbName}" with (force)`).catch(() => {});
    await admin.end({ timeout: 5 });
  });
