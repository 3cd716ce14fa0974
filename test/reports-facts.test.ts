import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUEUES } from '../src/core/conversations/types.js';
import { GROUP_BYS, summaryReport, type SummaryQuery } from '../src/core/reports/summary.js';
import { MIGRATIONS_DIR, connectDb, ensureDatabase, migrateDb, type Db, type DbHandle } from '../src/db/client.js';
import { agents, contacts, conversations, csatSurveys, qualityReviews, queues } from '../src/db/schema.js';
import { eventually, isolatedStores } from './helpers/harness.js';

/**
 * Reports read `conversation_facts`, a table the database keeps beside the conversations. Its
 * answers must be exactly those of the scan over the conversations themselves (the definition),
 * on a dataset built to reach every branch: outbound, voice, pending time, no answer, surveys
 * sent and answered, reviews, breaches, transfers, days either side of midnight in two time
 * zones — and again after facts arrive late (a score, a review, a resolution days after).
 */
type Stores = Awaited<ReturnType<typeof isolatedStores>>;
let stores: Stores;
let handle: DbHandle;
let db: Db;
const agentIds: string[] = [];
let contactId = '';

const RANGE = { from: '2026-11-01', to: '2026-11-14' };
// New York falls back on 1 November; Kathmandu's offset (+5:45) is not a whole hour.
const ZONES = ['America/New_York', 'Pacific/Auckland', 'Asia/Kathmandu', 'UTC'];

beforeAll(async () => {
  stores = await isolatedStores('reports-facts');
  await ensureDatabase(stores.databaseUrl);
  await migrateDb(stores.databaseUrl);
  handle = connectDb(stores.databaseUrl, { max: 3 });
  db = handle.db;
  await db
    .insert(queues)
    .values(DEFAULT_QUEUES.map((q) => ({ ...q })))
    .onConflictDoNothing();
  await db.execute(sql`update queues set sla_seconds = 60 where key = 'donor'`);
  for (const name of ['Ana', 'Bo', 'Cy']) {
    const [a] = await db
      .insert(agents)
      .values({ email: `${name.toLowerCase()}@facts.test`, name, passwordHash: 'x' })
      .returning();
    agentIds.push(a.id);
  }
  const [c] = await db.insert(contacts).values({ name: 'Facts fixture' }).returning();
  contactId = c.id;
  await seed(120, 1);
});

afterAll(async () => {
  await handle?.close();
  await stores?.drop();
});

/** A small deterministic random generator, so a failure replays the same dataset. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const CHANNELS = ['sms', 'email', 'slack', 'voice'] as const;
const QUEUE_KEYS = ['donor', 'it', 'volunteer'];
const DISPOSITIONS = [null, 'resolved', 'info-provided', 'donation-updated'];

/** `n` conversations around the range (and over its edges), in one insert per row as the app writes them. */
async function seed(n: number, seedValue: number) {
  const r = rng(seedValue);
  // From two days before the range to two days after it: every zone's midnight is crossed.
  const start = Date.parse('2026-10-30T00:00:00Z');
  const span = 19 * 86_400_000;
  for (let i = 0; i < n; i++) {
    const created = new Date(start + Math.floor(r() * span) + Math.floor(r() * 1000) / 1000);
    const channel = CHANNELS[Math.floor(r() * 4)];
    const outcome = r();
    const abandoned = outcome < 0.15;
    const open = outcome > 0.85;
    const accepted = abandoned ? null : new Date(created.getTime() + r() * 200_000 + 0.123456);
    const replied = accepted && channel !== 'voice' && r() < 0.9 ? new Date(accepted.getTime() + r() * 600_000) : null;
    const resolved = accepted && !open ? new Date(accepted.getTime() + 600_000 + r() * 86_400_000) : null;
    const outbound = !abandoned && channel !== 'voice' && r() < 0.1;
    const [row] = await db
      .insert(conversations)
      .values({
        contactId,
        channel,
        queueKey: QUEUE_KEYS[Math.floor(r() * QUEUE_KEYS.length)],
        inboxAddress: '+15005550006',
        threadKey: `facts-${seedValue}-${i}`,
        status: abandoned ? 'abandoned' : resolved ? 'resolved' : 'assigned',
        assigneeId: accepted ? agentIds[Math.floor(r() * agentIds.length)] : null,
        createdAt: created,
        queuedAt: created,
        acceptedAt: accepted,
        firstReplyAt: replied,
        resolvedAt: resolved,
        abandonedAt: abandoned ? new Date(created.getTime() + 30_000) : null,
        pendingSeconds: channel !== 'voice' && r() < 0.3 ? Math.floor(r() * 3600) : 0,
        disposition: resolved ? DISPOSITIONS[Math.floor(r() * DISPOSITIONS.length)] : null,
        transferCount: r() < 0.1 ? 1 + Math.floor(r() * 2) : 0,
        metadata:
          channel === 'voice' && accepted
            ? {
                talkSeconds: 30 + Math.floor(r() * 600),
                endedAt: new Date(accepted.getTime() + 400_000).toISOString(),
                // Half the calls had a post-call survey: the agent left before the caller hung up.
                ...(r() < 0.5 ? { surveyStartedAt: new Date(accepted.getTime() + 370_000).toISOString() } : {}),
              }
            : outbound
              ? { direction: 'outbound' }
              : {},
        slaBreaches: r() < 0.1 ? [{ kind: 'firstResponse', at: created.toISOString(), dueAt: created.toISOString() }] : [],
      })
      .returning({ id: conversations.id });
    if (resolved && channel !== 'voice' && r() < 0.6) {
      const answered = r() < 0.5;
      await db.insert(csatSurveys).values({
        conversationId: row.id,
        channel,
        sentAt: resolved,
        expiresAt: new Date(resolved.getTime() + 86_400_000),
        score: answered ? 1 + Math.floor(r() * 5) : null,
        answeredAt: answered ? resolved : null,
      });
    }
    if (resolved && r() < 0.2) {
      await db
        .insert(qualityReviews)
        .values({ conversationId: row.id, agentId: agentIds[0], scores: { greeting: 4 }, average: 1 + r() * 4 });
    }
  }
}

/** Every grouping and the drill-down filters, in every zone: facts and scan must agree to the last figure. */
async function expectSameAnswers() {
  const queries: SummaryQuery[] = [];
  for (const groupBy of GROUP_BYS) queries.push({ ...RANGE, groupBy, format: 'json' });
  queries.push({ ...RANGE, groupBy: 'day', agentId: agentIds[1], format: 'json' });
  queries.push({ ...RANGE, groupBy: 'agent', queue: 'donor', channel: 'sms', format: 'json' });
  queries.push({ ...RANGE, groupBy: 'channel', disposition: 'none', format: 'json' });
  queries.push({ ...RANGE, groupBy: 'queue', agentId: 'none', hour: 9, format: 'json' });
  for (const tz of ZONES) {
    for (const q of queries) {
      const scan = await summaryReport(db, tz, q, { source: 'conversations' });
      const facts = await summaryReport(db, tz, q, { source: 'facts' });
      expect(facts, `${tz} ${JSON.stringify(q)}`).toEqual(scan);
    }
  }
}

/** The table holds exactly what its defining view computes now, row for row. */
async function expectFactsCurrent() {
  const stale = await db.execute(sql`
    (select * from conversation_facts except select * from conversation_facts_source)
    union all
    (select * from conversation_facts_source except select * from conversation_facts)`);
  expect(stale).toEqual([]);
}

const total = async (tz = 'UTC') => (await summaryReport(db, tz, { ...RANGE, groupBy: 'queue', format: 'json' })).total;

describe('report facts', () => {
  it('give the same figures as the scan of the conversations, in every grouping, filter and time zone', async () => {
    const t = await total();
    expect(t.created).toBeGreaterThan(80); // the dataset reaches the figures below
    expect(t.csatResponses).toBeGreaterThan(0);
    expect(t.reviews).toBeGreaterThan(0);
    expect(t.medianFirstResponseSeconds).not.toBeNull();
    expect(t.avgHandleSeconds).not.toBeNull();
    await expectFactsCurrent();
    await expectSameAnswers();
  });

  it('follow facts that arrive after the day closed: a score, a review, a resolution, a transfer, a deletion', async () => {
    const before = await total();
    const [waiting] = (await db.execute(sql`
      select s.conversation_id from csat_surveys s join conversations c on c.id = s.conversation_id
      where s.score is null and c.created_at >= '2026-11-02' and c.created_at < '2026-11-13' limit 1`)) as unknown as {
      conversation_id: string;
    }[];
    await db
      .update(csatSurveys)
      .set({ score: 2, answeredAt: new Date('2026-11-20T10:00:00Z') })
      .where(eq(csatSurveys.conversationId, waiting.conversation_id));

    const [unreviewed] = (await db.execute(sql`
      select c.id from conversations c where c.status = 'resolved' and c.created_at >= '2026-11-02' and c.created_at < '2026-11-13'
        and not exists (select 1 from quality_reviews r where r.conversation_id = c.id) limit 1`)) as unknown as { id: string }[];
    await db.insert(qualityReviews).values({ conversationId: unreviewed.id, agentId: agentIds[1], scores: { greeting: 5 }, average: 5 });
    await db.insert(qualityReviews).values({ conversationId: unreviewed.id, agentId: agentIds[1], scores: { greeting: 2 }, average: 2 });
    const [review] = await db.select().from(qualityReviews).where(eq(qualityReviews.conversationId, unreviewed.id)).limit(1);
    await db.update(qualityReviews).set({ average: 3 }).where(eq(qualityReviews.id, review.id));

    const [open] = (await db.execute(sql`
      select id, accepted_at from conversations where status = 'assigned' and channel <> 'voice'
        and created_at >= '2026-11-02' and created_at < '2026-11-13' limit 1`)) as unknown as { id: string; accepted_at: string }[];
    await db
      .update(conversations)
      .set({
        status: 'resolved',
        resolvedAt: new Date('2026-11-21T08:00:00Z'),
        disposition: 'resolved',
        transferCount: 3,
        metadata: { direction: 'inbound' },
      })
      .where(eq(conversations.id, open.id));
    // A change reports do not read (the last message time) leaves the facts as they were, and correct.
    await db.update(conversations).set({ lastMessageAt: new Date() }).where(eq(conversations.id, open.id));

    const [gone] = (await db.execute(sql`
      select c.id from conversations c join csat_surveys s on s.conversation_id = c.id
      where s.score is null and c.created_at >= '2026-11-02' and c.created_at < '2026-11-13' and c.id <> ${waiting.conversation_id}
        and not exists (select 1 from quality_reviews r where r.conversation_id = c.id) limit 1`)) as unknown as { id: string }[];
    await db.delete(conversations).where(eq(conversations.id, gone.id));
    // A whole statement at once: several conversations resolved together (an incident closing them).
    await db.execute(sql`
      update conversations set status = 'resolved', resolved_at = accepted_at + interval '2 hours'
      where status = 'assigned' and channel = 'voice'`);

    const after = await total();
    expect([after.csatResponses, after.csatSent]).toEqual([before.csatResponses + 1, before.csatSent - 1]);
    expect(after.reviews).toBe(before.reviews + 2);
    expect(after.resolved).toBeGreaterThan(before.resolved);
    expect(after.transfers).not.toBe(before.transfers);
    expect(after.created).toBe(before.created - 1);
    await expectFactsCurrent();
    await expectSameAnswers();
  });

  it("follow each figure of a conversation's own row, keep its survey and reviews, and skip updates that change no figure", async () => {
    // Outside the range (the other tests' reports), so its life here changes none of them.
    const [{ id }] = (await db.execute(sql`
      insert into conversations (contact_id, channel, queue_key, inbox_address, thread_key, created_at, queued_at)
      values (${contactId}, 'sms', 'donor', '+15005550006', 'facts-life', '2026-12-20T10:00:00Z', '2026-12-20T10:00:00Z')
      returning id`)) as unknown as { id: string }[];
    const written = async () =>
      ((await db.execute(sql`select xmin::text x from conversation_facts where conversation_id = ${id}`)) as unknown as { x: string }[])[0]
        .x;
    const update = (set: ReturnType<typeof sql>) => () => db.execute(sql`update conversations set ${set} where id = ${id}`);
    const answeredAndReviewed = async () => {
      await db.insert(csatSurveys).values({
        conversationId: id,
        channel: 'sms',
        sentAt: new Date('2026-12-20T12:00:00Z'),
        expiresAt: new Date('2026-12-21T12:00:00Z'),
        score: 4,
        answeredAt: new Date('2026-12-20T12:05:00Z'),
      });
      for (const average of [4.5, 3])
        await db.insert(qualityReviews).values({ conversationId: id, agentId: agentIds[2], scores: { greeting: 4 }, average });
    };
    // One statement each; `writes`: a report figure changes, so the facts row is rewritten.
    const steps: [string, () => Promise<unknown>, boolean][] = [
      ['offered', update(sql`status = 'offered', first_offered_at = '2026-12-20T10:00:05Z'`), false],
      ['a message, the language', update(sql`last_message_at = now(), metadata = metadata || '{"lang": "es"}'`), false],
      ['accepted', update(sql`status = 'assigned', assignee_id = ${agentIds[0]}, accepted_at = '2026-12-20T10:00:31.5Z'`), true],
      ['first reply', update(sql`first_reply_at = '2026-12-20T10:02:00Z'`), true],
      // Open messaging has no handle time yet: pending time changes no figure until it is resolved.
      ['pending time while open', update(sql`pending_seconds = 120`), false],
      ['resolved', update(sql`status = 'resolved', resolved_at = '2026-12-20T12:00:00Z', disposition = 'resolved'`), true],
      ['survey answered, two reviews', answeredAndReviewed, true],
      ['pending time', update(sql`pending_seconds = 300`), true],
      ['a transfer', update(sql`transfer_count = 1`), true],
      [
        'a breach',
        update(sql`sla_breaches = '[{"kind": "resolution", "at": "2026-12-20T11:00:00Z", "dueAt": "2026-12-20T11:00:00Z"}]'`),
        true,
      ],
      ['outbound', update(sql`metadata = metadata || '{"direction": "outbound"}'`), true],
      ['queue', update(sql`queue_key = 'it'`), true],
      ['agent', update(sql`assignee_id = ${agentIds[1]}`), true],
      ['a call', update(sql`channel = 'voice', metadata = '{"talkSeconds": 95, "endedAt": "2026-12-20T11:30:00Z"}'`), true],
      ['talk time', update(sql`metadata = metadata || '{"talkSeconds": 96}'`), true],
      ['a phone survey', update(sql`metadata = metadata || '{"surveyStartedAt": "2026-12-20T11:29:00Z"}'`), true],
      // Wrap-up runs from the survey's start now: the caller's own hang-up is no figure.
      ['the caller hung up later', update(sql`metadata = metadata || '{"endedAt": "2026-12-20T11:31:00Z"}'`), false],
      ['no disposition', update(sql`disposition = null`), true],
      ['abandoned', update(sql`status = 'abandoned'`), true],
      ['the same status again', update(sql`status = 'abandoned'`), false],
      ['created', update(sql`created_at = '2026-12-20T09:59:00Z'`), true],
    ];
    for (const [what, step, writes] of steps) {
      const before = await written();
      await step();
      expect((await written()) !== before, what).toBe(writes);
      await expectFactsCurrent();
    }
    const [row] = (await db.execute(
      sql`select csat_sent, csat_score, reviews from conversation_facts where conversation_id = ${id}`,
    )) as unknown as object[];
    expect(row).toEqual({ csat_sent: true, csat_score: 4, reviews: 2 });
  });

  it('keep both changes when a conversation update and a survey answer race, in either order', async () => {
    const [{ id }] = (await db.execute(sql`
      select c.id from conversations c join csat_surveys s on s.conversation_id = c.id
      where s.score is null and c.channel <> 'voice' limit 1`)) as unknown as { id: string }[];
    const answer = `update csat_surveys set score = 5, answered_at = now() where conversation_id = '${id}'`;
    const transfer = `update conversations set transfer_count = transfer_count + 1 where id = '${id}'`;
    const reopen = `update conversations set status = 'assigned', resolved_at = null where id = '${id}'`;
    const pg = postgres(stores.databaseUrl, { max: 3, onnotice: () => {} });
    try {
      /** `first` in one transaction, then `second` in another, which waits for the first's lock until it commits. */
      const race = async (first: string, second: string) => {
        const [a, b] = [await pg.reserve(), await pg.reserve()];
        const [{ pid }] = await b`select pg_backend_pid() pid`;
        await a`begin`;
        await a.unsafe(first);
        await b`begin`;
        const blocked = b.unsafe(second).execute(); // sent now: a query runs when awaited or executed
        // Watched from a third connection: a transaction sees pg_stat_activity as it was when it first read it.
        await eventually(async () => (await pg`select 1 from pg_stat_activity where pid = ${pid} and wait_event_type = 'Lock'`).length > 0);
        await a`commit`;
        await blocked;
        await b`commit`;
        a.release();
        b.release();
      };
      await race(answer, transfer); // the answer's refresh holds the facts row; the update waits for it
      await expectFactsCurrent();
      await pg.unsafe(`update csat_surveys set score = null, answered_at = null where conversation_id = '${id}'`);
      await race(reopen, answer); // the update holds the facts row; the answer's refresh waits for it
      await expectFactsCurrent();
      const [f] = await pg`select csat_score, resolved from conversation_facts where conversation_id = ${id}`;
      expect(f).toMatchObject({ csat_score: 5, resolved: false });
    } finally {
      await pg.end({ timeout: 5 });
    }
  });

  it("count days in the organisation's current time zone: changing TZ needs no rebuild", async () => {
    // The facts carry instants only; a different zone moves conversations between days at query time.
    const ny = await summaryReport(db, 'America/New_York', { ...RANGE, groupBy: 'day', format: 'json' });
    const akl = await summaryReport(db, 'Pacific/Auckland', { ...RANGE, groupBy: 'day', format: 'json' });
    expect(ny.rows.map((r) => r.created)).not.toEqual(akl.rows.map((r) => r.created));
    await expectSameAnswers();
  });

  it('are built for the conversations of an existing install when it upgrades', async () => {
    const upgrade = await isolatedStores('reports-facts-upgrade');
    const folder = await mkdtemp(path.join(tmpdir(), 'sb-migrations-'));
    const client = postgres(upgrade.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      // The schema as it was before conversation_facts: every migration up to the one before.
      await cp(MIGRATIONS_DIR, folder, { recursive: true });
      const journalFile = path.join(folder, 'meta', '_journal.json');
      const journal = JSON.parse(await readFile(journalFile, 'utf8')) as { entries: { tag: string }[] };
      const factsAt = journal.entries.findIndex((e) => e.tag.endsWith('_reports-facts'));
      expect(factsAt).toBeGreaterThan(0);
      journal.entries = journal.entries.slice(0, factsAt);
      await writeFile(journalFile, JSON.stringify(journal));
      await ensureDatabase(upgrade.databaseUrl);
      await migrate(drizzle(client), { migrationsFolder: folder });
      await client.unsafe(`insert into queues (key, name) values ('donor', 'Donor') on conflict do nothing`);
      await client.unsafe(`insert into contacts (id, name) values ('00000000-0000-4000-8000-000000000001', 'Old')`);
      await client.unsafe(`
        insert into conversations (contact_id, channel, queue_key, status, inbox_address, thread_key, created_at, queued_at, accepted_at, first_reply_at, resolved_at)
        select '00000000-0000-4000-8000-000000000001', 'sms', 'donor', 'resolved', '+15005550006', 'old-' || g,
          now() - g * interval '1 hour', now() - g * interval '1 hour', now() - g * interval '1 hour' + interval '20 seconds',
          now() - g * interval '1 hour' + interval '40 seconds', now() - g * interval '1 hour' + interval '5 minutes'
        from generate_series(1, 30) g`);
      await client.unsafe(`insert into csat_surveys (conversation_id, channel, sent_at, expires_at, score, answered_at)
        select id, 'sms', resolved_at, resolved_at + interval '1 day', 4, resolved_at from conversations limit 10`);

      await migrateDb(upgrade.databaseUrl);
      const [{ n, answered }] = await client.unsafe(`select count(*)::int n, count(csat_score)::int answered from conversation_facts`);
      expect([n, answered]).toEqual([30, 10]);
      expect(await client.unsafe(`select * from conversation_facts except select * from conversation_facts_source`)).toEqual([]);
    } finally {
      await client.end({ timeout: 5 });
      await rm(folder, { recursive: true, force: true });
      await upgrade.drop();
    }
  });
});
