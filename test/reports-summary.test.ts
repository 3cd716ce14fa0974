import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contacts, conversations, csatSurveys, qualityReviews } from '../src/db/schema.js';
import { eventually, randomPhone, startTestApp, type TestApp } from './helpers/harness.js';

/**
 * Report figures on a constructed dataset whose answers are worked out by hand below. The
 * organisation is in New York (UTC−5 in November): a contact at 04:30 UTC on the 11th came
 * on the 10th, local time, and one at 04:59 UTC on the 10th came on the 9th.
 */
let app: TestApp;
let ana: { id: string; token: string };
let bo: { id: string; token: string };
beforeAll(async () => {
  app = await startTestApp('reports-summary', { TZ: 'America/New_York' });
  ana = await app.agent({ name: 'Ana Report', queues: ['donor'], available: false });
  bo = await app.agent({ name: 'Bo Report', queues: ['it'], available: false, role: 'supervisor' });
  await seed();
});
afterAll(async () => {
  await app?.stop();
});

const at = (iso: string, plusSeconds = 0) => new Date(Date.parse(iso) + plusSeconds * 1000);
const ids: Record<string, string> = {};

async function seed() {
  const db = app.sb.deps.db;
  await db.execute(sql`update queues set sla_seconds = 60 where key = 'donor'`);
  await db.execute(sql`update queues set sla_seconds = 120 where key = 'it'`);
  const [contact] = await db.insert(contacts).values({ name: 'Fixture' }).returning();
  const base = { contactId: contact.id, inboxAddress: '+15005550006', threadKey: '' };
  const put = async (name: string, v: Partial<typeof conversations.$inferInsert> & { createdAt: Date }) => {
    const [row] = await db
      .insert(conversations)
      .values({ ...base, channel: 'sms', queueKey: 'donor', threadKey: name, queuedAt: v.createdAt, ...v })
      .returning();
    ids[name] = row.id;
  };
  // 09:00 local on the 10th: answered in 30 s (target 60), replied at 90 s, pending 10 min, resolved after 1 h; transferred once.
  const c1 = '2026-11-10T14:00:00Z';
  await put('c1', {
    createdAt: at(c1),
    acceptedAt: at(c1, 30),
    firstReplyAt: at(c1, 90),
    resolvedAt: at(c1, 3600),
    pendingSeconds: 600,
    status: 'resolved',
    assigneeId: ana.id,
    disposition: 'donation-updated',
    transferCount: 1,
  });
  // 15:00 local: email answered in 120 s (late), replied at 300 s, resolved after 2 h.
  const c2 = '2026-11-10T20:00:00Z';
  await put('c2', {
    channel: 'email',
    createdAt: at(c2),
    acceptedAt: at(c2, 120),
    firstReplyAt: at(c2, 300),
    resolvedAt: at(c2, 7200),
    status: 'resolved',
    assigneeId: ana.id,
    disposition: 'info-provided',
    slaBreaches: [{ kind: 'firstResponse', at: at(c2, 240).toISOString(), dueAt: at(c2, 240).toISOString() }],
  });
  // 23:30 local on the 10th (04:30 UTC on the 11th): hung up waiting.
  const c3 = '2026-11-11T04:30:00Z';
  await put('c3', { createdAt: at(c3), abandonedAt: at(c3, 200), status: 'abandoned' });
  // 00:30 local on the 11th: a call to IT answered in 10 s, 300 s of talk, hung up at 310 s, resolved at 400 s.
  const c4 = '2026-11-11T05:30:00Z';
  await put('c4', {
    channel: 'voice',
    queueKey: 'it',
    createdAt: at(c4),
    acceptedAt: at(c4, 10),
    resolvedAt: at(c4, 400),
    status: 'resolved',
    assigneeId: bo.id,
    disposition: 'donation-updated',
    metadata: { talkSeconds: 300, endedAt: at(c4, 310).toISOString() },
  });
  // 10:00 local on the 12th: IT text taken in 45 s, replied at 60 s, still open.
  const c5 = '2026-11-12T15:00:00Z';
  await put('c5', {
    queueKey: 'it',
    createdAt: at(c5),
    acceptedAt: at(c5, 45),
    firstReplyAt: at(c5, 60),
    status: 'assigned',
    assigneeId: bo.id,
  });
  // 11:00 local on the 10th: Ana texted a donor first (outbound), resolved after 30 min.
  const c6 = '2026-11-10T16:00:00Z';
  await put('c6', {
    createdAt: at(c6),
    acceptedAt: at(c6),
    firstReplyAt: at(c6),
    resolvedAt: at(c6, 1800),
    status: 'resolved',
    assigneeId: ana.id,
    metadata: { direction: 'outbound' },
  });
  // Outside the range: 23:59 local on the 9th, and 00:30 local on the 14th.
  await put('before', { createdAt: at('2026-11-10T04:59:00Z'), status: 'abandoned' });
  await put('after', { createdAt: at('2026-11-14T05:30:00Z'), status: 'abandoned' });

  await db.insert(csatSurveys).values([
    { conversationId: ids.c1, channel: 'sms', sentAt: at(c1, 3600), expiresAt: at(c1, 90000), score: 5, answeredAt: at(c1, 3700) },
    { conversationId: ids.c2, channel: 'email', sentAt: at(c2, 7200), expiresAt: at(c2, 90000) },
  ]);
  await db.insert(qualityReviews).values([
    { conversationId: ids.c1, agentId: ana.id, scores: { greeting: 4, accuracy: 4 }, average: 4 },
    { conversationId: ids.c2, agentId: ana.id, scores: { greeting: 3, accuracy: 3 }, average: 3 },
  ]);
}

const RANGE = 'from=2026-11-10&to=2026-11-13';
const report = async (groupBy: string, extra = '') => {
  const r = await app.api('GET', `/api/reports/summary?${RANGE}&groupBy=${groupBy}${extra}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.rows as any[];
};
const row = (rows: any[], key: unknown) => rows.find((r) => r.key === key);

describe('report figures', () => {
  it("groups by the organisation's days, boundaries in its time zone, every day listed", async () => {
    const rows = await report('day');
    expect(rows.map((r) => r.key)).toEqual(['2026-11-10', '2026-11-11', '2026-11-12', '2026-11-13']);
    expect(row(rows, '2026-11-10')).toEqual({
      key: '2026-11-10',
      label: null,
      created: 4, // c1, c2, c3 (23:30 local), c6; not 23:59 on the 9th
      answered: 2, // c1, c2 (c6 was ours: never waited)
      abandoned: 1,
      answeredInSla: 1, // c1 at 30 s of 60
      serviceLevel: 33.3, // 1 / (2 answered + 1 abandoned)
      avgSpeedOfAnswerSeconds: 75, // (30 + 120) / 2
      medianFirstResponseSeconds: 195, // 90, 300
      p90FirstResponseSeconds: 279, // 90 + 0.9 × 210
      avgHandleSeconds: 3950, // (3600 − 30 − 600 pending) + (7200 − 120) + 1800 = 11850 / 3
      medianResolutionSeconds: 3600, // 1800, 3600, 7200
      resolved: 3,
      transfers: 1,
      slaBreaches: 1,
      csatAverage: 5,
      csatResponses: 1,
      csatSent: 2,
      csatResponseRate: 50,
      reviewAverage: 3.5,
      reviews: 2,
    });
    expect(row(rows, '2026-11-11')).toMatchObject({
      created: 1,
      answered: 1,
      answeredInSla: 1,
      serviceLevel: 100,
      avgSpeedOfAnswerSeconds: 10,
      medianFirstResponseSeconds: null,
      avgHandleSeconds: 390, // 300 talk + 90 wrap-up
      medianResolutionSeconds: 400,
      csatAverage: null,
      csatResponseRate: null,
    });
    expect(row(rows, '2026-11-12')).toMatchObject({
      created: 1,
      answered: 1,
      answeredInSla: 1,
      avgHandleSeconds: null,
      medianResolutionSeconds: null,
    });
    expect(row(rows, '2026-11-13')).toMatchObject({ created: 0, answered: 0, serviceLevel: null, avgSpeedOfAnswerSeconds: null });
  });

  it('groups by local hour, agent, queue, channel and disposition', async () => {
    const hours = await report('hour');
    expect(hours).toHaveLength(24);
    expect(
      hours
        .filter((h) => h.created > 0)
        .map((h) => [h.key, h.created])
        .sort((a, b) => a[0] - b[0]),
    ).toEqual([
      [0, 1],
      [9, 1],
      [10, 1],
      [11, 1],
      [15, 1],
      [23, 1],
    ]);

    const agents = await report('agent');
    expect(row(agents, ana.id)).toMatchObject({
      label: 'Ana Report',
      created: 3,
      answered: 2,
      resolved: 3,
      reviewAverage: 3.5,
      csatAverage: 5,
    });
    expect(row(agents, bo.id)).toMatchObject({
      label: 'Bo Report',
      created: 2,
      answered: 2,
      answeredInSla: 2,
      avgSpeedOfAnswerSeconds: 27.5,
    });
    expect(row(agents, null)).toMatchObject({ created: 1, abandoned: 1 });
    expect(agents[agents.length - 1].key).toBeNull(); // unassigned last

    const queues = await report('queue');
    expect(row(queues, 'donor')).toMatchObject({ created: 4, label: expect.any(String) });
    expect(row(queues, 'it')).toMatchObject({ created: 2, medianFirstResponseSeconds: 60 });

    const channels = await report('channel');
    expect(Object.fromEntries(channels.map((c) => [c.key, c.created]))).toEqual({ email: 1, sms: 4, voice: 1 });

    const dispositions = await report('disposition');
    expect(Object.fromEntries(dispositions.map((d) => [String(d.key), d.created]))).toEqual({
      'donation-updated': 2,
      'info-provided': 1,
      null: 3,
    });
    expect(row(dispositions, 'donation-updated').label).toBe('Donation updated');
  });

  it('totals the whole report, narrows by hour, disposition and "none", and pages the conversations behind a row', async () => {
    const r = await app.api('GET', `/api/reports/summary?${RANGE}&groupBy=queue`);
    // The total is computed over the conversations, not added up from rows: the day report's figures, all days at once.
    expect(r.body.total).toMatchObject({ key: null, created: 6, answered: 4, abandoned: 1, answeredInSla: 3, serviceLevel: 60 });
    expect(r.body.total.medianResolutionSeconds).toBe(2700); // 400, 1800, 3600, 7200
    expect((await report('day', '&hour=9')).map((d) => d.created)).toEqual([1, 0, 0, 0]);
    expect((await report('channel', '&disposition=none')).map((c) => [c.key, c.created])).toEqual([['sms', 3]]);
    expect((await report('queue', '&agentId=none')).map((q) => [q.key, q.created, q.abandoned])).toEqual([['donor', 1, 1]]);

    const page = await app.api('GET', `/api/reports/conversations?${RANGE}&agentId=${ana.id}&format=json&limit=2`);
    expect(page.status).toBe(200);
    expect(page.body.total).toBe(3);
    expect(page.body.conversations.map((c: any) => c.id)).toEqual([ids.c1, ids.c6]); // creation order, first two
    expect(page.body.conversations[0]).toMatchObject({ waitSeconds: 30, handleSeconds: 2970, csatScore: 5, agent: 'Ana Report' });
    const audit = await app.api('GET', '/api/audit?action=report.export');
    expect(audit.body.entries.filter((e: any) => e.details.limit !== undefined)).toEqual([]); // reading a page is not an export
    expect((await app.api('GET', `/api/reports/conversations?${RANGE}&format=json&limit=501`)).status).toBe(400);
    expect((await app.api('GET', `/api/reports/summary?${RANGE}&hour=24`)).status).toBe(400);
  });

  it('drills down to one agent', async () => {
    const days = await report('day', `&agentId=${bo.id}`);
    expect(days.map((d) => d.created)).toEqual([0, 1, 1, 0]);
  });

  it('exports a report and the conversation list as CSV, and audits the export', async () => {
    const res = await fetch(`${app.url}/api/reports/summary?${RANGE}&groupBy=channel&format=csv`, {
      headers: { authorization: `Bearer ${app.adminToken}` },
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toBe(
      'key,created,answered,abandoned,answeredInSla,serviceLevel,avgSpeedOfAnswerSeconds,medianFirstResponseSeconds,avgHandleSeconds,medianResolutionSeconds,csatAverage,csatResponses,label,p90FirstResponseSeconds,resolved,transfers,slaBreaches,csatSent,csatResponseRate,reviewAverage,reviews',
    );
    expect(lines.find((l) => l.startsWith('voice,'))).toBe('voice,1,1,0,1,100,10,,390,400,,0,,,1,0,0,0,,,0');

    const list = await fetch(`${app.url}/api/reports/conversations?${RANGE}`, { headers: { authorization: `Bearer ${app.adminToken}` } });
    expect(list.status).toBe(200);
    const csv = (await list.text()).trim().split('\r\n');
    expect(csv[0].split(',').slice(0, 4)).toEqual(['number', 'createdAt', 'localDay', 'channel']);
    expect(csv).toHaveLength(1 + 6);
    const c3 = csv.find((l) => l.includes('2026-11-11T04:30:00.000Z'))!;
    expect(c3.split(',')[2]).toBe('2026-11-10');
    const c1 = csv.find((l) => l.includes('2026-11-10T14:00:00.000Z'))?.split(',');
    expect(c1, csv.join('\n')).toBeDefined();
    if (!c1) return;
    expect(c1.slice(3, 8)).toEqual(['sms', 'donor', 'resolved', 'Ana Report', 'donation-updated']);
    expect(c1.slice(9, 17)).toEqual(['30', '90', '2970', '3600', '600', '1', '0', '5']);

    const audit = await app.api('GET', '/api/audit?action=report.export');
    expect(audit.body.entries.map((e: any) => e.details.report).sort()).toEqual(['conversations', 'summary']);
  });

  it('is for supervisors, and refuses a bad range with 400', async () => {
    expect((await app.api('GET', `/api/reports/summary?${RANGE}`, undefined, ana.token)).status).toBe(403);
    expect((await app.api('GET', `/api/reports/conversations?${RANGE}`, undefined, ana.token)).status).toBe(403);
    expect((await app.api('GET', `/api/reports/summary?${RANGE}`, undefined, bo.token)).status).toBe(200);
    for (const q of [
      'from=2026-11-10',
      'from=2026-11-12&to=2026-11-10',
      'from=2026-02-30&to=2026-03-01',
      'from=x&to=y',
      `${RANGE}&groupBy=contact`,
    ]) {
      const r = await app.api('GET', `/api/reports/summary?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code).toBe('bad_request');
    }
  });

  it('counts a transfer made through the API', async () => {
    const phone = randomPhone();
    await app.sms(phone, 'please transfer me');
    const c = await eventually(async () => (await app.api('GET', '/api/conversations?status=all&limit=1')).body.conversations[0]);
    expect(c.status).not.toBe('resolved');
    expect((await app.api('POST', `/api/conversations/${c.id}/transfer`, { queue: 'it' })).status).toBe(200);
    const [after] = await app.sb.deps.db.select().from(conversations).where(eq(conversations.id, c.id));
    expect(after.transferCount).toBe(1);
  });

  it("starts a surveyed call's wrap-up when the agent left for the survey, not at the caller's hang-up", async () => {
    const db = app.sb.deps.db;
    const [contact] = await db.insert(contacts).values({ name: 'Surveyed caller' }).returning();
    // Answered at 10 s; the agent left at 310 s as the survey began; the caller hung up after it at
    // 340 s; resolved at 400 s: 300 s of talk and 90 s of wrap-up (not 60).
    const t = '2026-12-02T15:00:00Z';
    await db.insert(conversations).values({
      contactId: contact.id,
      inboxAddress: '+15005550006',
      threadKey: 'surveyed',
      channel: 'voice',
      queueKey: 'it',
      createdAt: at(t),
      queuedAt: at(t),
      acceptedAt: at(t, 10),
      resolvedAt: at(t, 400),
      status: 'resolved',
      assigneeId: bo.id,
      metadata: { talkSeconds: 300, surveyStartedAt: at(t, 310).toISOString(), endedAt: at(t, 340).toISOString() },
    });
    const q = 'from=2026-12-02&to=2026-12-02&groupBy=queue';
    const report = (await app.api('GET', `/api/reports/summary?${q}`)).body;
    expect(report.total).toMatchObject({ created: 1, avgHandleSeconds: 390 });
    const lines = await app.api('GET', `/api/reports/conversations?from=2026-12-02&to=2026-12-02&format=json`);
    expect(lines.body.conversations[0]).toMatchObject({ handleSeconds: 390 });
  });
});
