import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contacts, conversations } from '../src/db/schema.js';
import { startTestApp, type TestApp } from './helpers/harness.js';

let app: TestApp;
let ana: { id: string; token: string };
let bo: { id: string; token: string };
let sue: { id: string; token: string };
beforeAll(async () => {
  app = await startTestApp('quality-reviews');
  ana = await app.agent({ name: 'Ana Quality', available: false });
  bo = await app.agent({ name: 'Bo Quality', available: false });
  sue = await app.agent({ name: 'Sue Supervisor', role: 'supervisor', available: false });
});
afterAll(async () => {
  await app?.stop();
});

let threads = 0;
async function conversation(status: 'resolved' | 'assigned', assigneeId: string) {
  const db = app.sb.deps.db;
  const [contact] = await db.insert(contacts).values({ name: 'Reviewed' }).returning();
  const [c] = await db
    .insert(conversations)
    .values({
      contactId: contact.id,
      channel: 'sms',
      queueKey: 'donor',
      inboxAddress: '+15005550006',
      threadKey: `q${threads++}`,
      status,
      assigneeId,
      acceptedAt: new Date(),
      resolvedAt: status === 'resolved' ? new Date() : null,
    })
    .returning();
  return c;
}

const all = (n: number) => ({ greeting: n, accuracy: n, empathy: n, resolution: n, process: n });

describe('quality reviews', () => {
  it('supervisors score a resolved conversation on every criterion; agents see only their own', async () => {
    const criteria = (await app.api('GET', '/api/scorecard', undefined, ana.token)).body.criteria;
    expect(criteria.map((c: any) => c.key)).toEqual(['greeting', 'accuracy', 'empathy', 'resolution', 'process']);

    const c1 = await conversation('resolved', ana.id);
    const c2 = await conversation('resolved', ana.id);
    const c3 = await conversation('resolved', bo.id);
    const anaSocket = await app.socket(ana.token);
    const boSocket = await app.socket(bo.token);
    const made = await app.api(
      'POST',
      `/api/conversations/${c1.id}/reviews`,
      { scores: { ...all(4), empathy: 2 }, comment: 'Kind, slow' },
      sue.token,
    );
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    expect(made.body.review).toMatchObject({ conversationId: c1.id, number: c1.number, agentId: ana.id, reviewerId: sue.id, average: 3.6 });
    // Ana hears of it at once, in her own room; Bo hears nothing of Ana's reviews.
    const heard = await anaSocket.waitFor('review.created', (p) => p.review.conversationId === c1.id);
    expect(heard.review).toMatchObject({ id: made.body.review.id, number: c1.number, average: 3.6, comment: 'Kind, slow' });
    expect((await app.api('POST', `/api/conversations/${c2.id}/reviews`, { scores: all(5) }, sue.token)).status).toBe(201);
    expect((await app.api('POST', `/api/conversations/${c3.id}/reviews`, { scores: all(1) }, sue.token)).status).toBe(201);
    await boSocket.waitFor('review.created', (p) => p.review.conversationId === c3.id);
    expect(boSocket.events.filter((e) => e.event === 'review.created').map((e) => e.payload.review.conversationId)).toEqual([c3.id]);

    const own = await app.api('GET', '/api/reviews', undefined, ana.token);
    expect(own.status).toBe(200);
    expect(own.body.count).toBe(2);
    expect(own.body.average).toBe(4.3); // (3.6 + 5) / 2
    expect(own.body.criteria.empathy).toBe(3.5);
    expect(own.body.reviews.map((r: any) => r.conversationId).sort()).toEqual([c1.id, c2.id].sort());
    expect(own.body.reviews.find((r: any) => r.conversationId === c1.id)).toMatchObject({
      comment: 'Kind, slow',
      reviewerName: 'Sue Supervisor',
    });

    // An agent never reads another agent's reviews, nor writes one.
    expect((await app.api('GET', `/api/reviews?agentId=${bo.id}`, undefined, ana.token)).status).toBe(403);
    expect((await app.api('GET', `/api/reviews?agentId=${ana.id}`, undefined, ana.token)).status).toBe(200);
    expect((await app.api('GET', '/api/reviews', undefined, bo.token)).body.count).toBe(1);
    expect((await app.api('POST', `/api/conversations/${c3.id}/reviews`, { scores: all(5) }, ana.token)).status).toBe(403);
    expect((await app.api('POST', `/api/conversations/${c3.id}/reviews`, { scores: all(5) }, bo.token)).status).toBe(403);

    // Supervisors read anyone's.
    const bos = await app.api('GET', `/api/reviews?agentId=${bo.id}`, undefined, sue.token);
    expect(bos.body).toMatchObject({ count: 1, average: 1 });

    // The agent report carries the review average.
    const day = new Date().toISOString().slice(0, 10);
    const rows = (await app.api('GET', `/api/reports/summary?from=${day}&to=${day}&groupBy=agent`, undefined, sue.token)).body.rows;
    expect(rows.find((r: any) => r.key === ana.id)).toMatchObject({ reviews: 2, reviewAverage: 4.3 });
  });

  it('refuses incomplete scores, unknown criteria, open conversations', async () => {
    const c = await conversation('resolved', ana.id);
    const missing = await app.api('POST', `/api/conversations/${c.id}/reviews`, { scores: { greeting: 5 } }, sue.token);
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/missing accuracy/);
    expect((await app.api('POST', `/api/conversations/${c.id}/reviews`, { scores: { ...all(3), speed: 3 } }, sue.token)).status).toBe(400);
    expect((await app.api('POST', `/api/conversations/${c.id}/reviews`, { scores: all(6) }, sue.token)).status).toBe(400);
    const open = await conversation('assigned', ana.id);
    expect((await app.api('POST', `/api/conversations/${open.id}/reviews`, { scores: all(3) }, sue.token)).status).toBe(409);
  });

  it('admins set the scorecard; new reviews follow it', async () => {
    const criteria = [
      { key: 'tone', label: 'Tone' },
      { key: 'facts', label: 'Facts' },
    ];
    expect((await app.api('PUT', '/api/scorecard', { criteria }, sue.token)).status).toBe(403);
    expect((await app.api('PUT', '/api/scorecard', { criteria: [criteria[0], criteria[0]] })).status).toBe(400);
    expect((await app.api('PUT', '/api/scorecard', { criteria })).body.criteria).toEqual(criteria);
    const c = await conversation('resolved', bo.id);
    expect((await app.api('POST', `/api/conversations/${c.id}/reviews`, { scores: all(3) }, sue.token)).status).toBe(400);
    const ok = await app.api('POST', `/api/conversations/${c.id}/reviews`, { scores: { tone: 5, facts: 4 } }, sue.token);
    expect(ok.body.review.average).toBe(4.5);
  });
});
