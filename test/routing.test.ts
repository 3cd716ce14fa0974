import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversations } from '../src/db/schema.js';
import { eventually, startTestApp, type TestApp } from './helpers/harness.js';
import { routingFixtures, ROUTING_TEST_ENV } from './helpers/routing-fixtures.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('routing', ROUTING_TEST_ENV);
});
afterAll(async () => {
  await app?.stop();
});
const { line, text, key, conv } = routingFixtures(() => app);

describe('queue administration', () => {
  it('admins create and change queues; agents may only read theirs', async () => {
    const k = key('grants');
    const created = await app.api('POST', '/api/queues', {
      key: k,
      name: 'Grants',
      priority: 20,
      slaSeconds: 45,
      emailFrom: 'grants@example.org',
    });
    expect(created.status).toBe(201);
    expect(created.body.queue).toMatchObject({
      key: k,
      priority: 20,
      slaSeconds: 45,
      waiting: 0,
      escalation: [],
      open: true,
      emailFrom: 'grants@example.org',
    });
    expect((await app.api('POST', '/api/queues', { key: k, name: 'again' })).status).toBe(409);
    expect((await app.api('POST', '/api/queues', { key: 'Bad Key', name: 'x' })).status).toBe(400);
    expect(
      (await app.api('POST', '/api/queues', { key: key('x'), name: 'x', escalation: [{ afterSeconds: 5, addQueues: ['nope'] }] })).status,
    ).toBe(400);
    expect((await app.api('POST', '/api/queues', { key: key('x'), name: 'x', escalation: [{ afterSeconds: 5 }] })).status).toBe(400);

    const patched = await app.api('PATCH', `/api/queues/${k}`, {
      priority: 30,
      maxWaitSeconds: 900,
      businessHours: { timezone: 'Europe/Berlin', open: [{ day: 1, from: '09:00', to: '17:00' }] },
      escalation: [
        { afterSeconds: 60, addQueues: ['donor'] },
        { afterSeconds: 300, notifySupervisors: true },
      ],
    });
    expect(patched.status).toBe(200);
    expect(patched.body.queue).toMatchObject({ priority: 30, maxWaitSeconds: 900, businessHours: { timezone: 'Europe/Berlin' } });
    expect(patched.body.queue.escalation).toHaveLength(2);
    expect((await app.api('PATCH', '/api/queues/missing', { priority: 1 })).status).toBe(404);
    expect((await app.api('PATCH', `/api/queues/${k}`, { businessHours: { timezone: 'Mars/Olympus', open: [] } })).status).toBe(400);

    const agent = await app.agent({ name: 'Reader', queues: [k] });
    expect((await app.api('PATCH', `/api/queues/${k}`, { priority: 1 }, agent.token)).status).toBe(403);
    expect((await app.api('POST', '/api/queues', { key: key('y'), name: 'y' }, agent.token)).status).toBe(403);
    const mine = await app.api('GET', '/api/queues', undefined, agent.token);
    expect(mine.body.queues.map((q: any) => q.key)).toEqual([k]);
    expect((await app.api('GET', '/api/queues/donor', undefined, agent.token)).status).toBe(404);
    expect((await app.api('GET', `/api/queues/${k}`, undefined, agent.token)).body.queue.key).toBe(k);
    const all = await app.api('GET', '/api/queues');
    expect(all.body.queues.map((q: any) => q.key)).toEqual(expect.arrayContaining(['donor', 'crisis', k]));
    // Highest priority first: crisis leads.
    expect(all.body.queues[0].key).toBe('crisis');
  });
});

describe('ordering and choice', () => {
  it('crisis goes before older non-crisis work; within a queue oldest first; highest skill first', async () => {
    const k = key('ord');
    await app.api('POST', '/api/queues', { key: k, name: 'Ordering', priority: 10 });
    const crisisLine = await line('crisis');
    const plainLine = await line(k);
    // Nobody serves the queues yet: everything waits.
    const older = await text(plainLine);
    const newer = await text(plainLine);
    const crisis = await text(crisisLine);
    await new Promise((r) => setTimeout(r, 200));
    // One agent with room for one SMS, serving both queues: crisis first though it came last.
    const low = await app.agent({
      name: 'Low',
      queues: [
        { queue: k, level: 1 },
        { queue: 'crisis', level: 1 },
      ],
      capacity: { sms: 1 },
      available: false,
    });
    const high = await app.agent({
      name: 'High',
      queues: [
        { queue: k, level: 5 },
        { queue: 'crisis', level: 5 },
      ],
      capacity: { sms: 1 },
      available: false,
    });
    const sLow = await app.socket(low.token);
    const sHigh = await app.socket(high.token);
    await app.api('PUT', '/api/me/status', { status: 'available' }, high.token);
    const first = await sHigh.waitFor('reservation.created');
    expect(first.contact.address).toBe(crisis);
    expect(first.priority).toBe(100);
    await app.api('PUT', '/api/me/status', { status: 'available' }, low.token);
    const second = await sLow.waitFor('reservation.created');
    expect(second.contact.address).toBe(older);
    await app.api('POST', `/api/reservations/${second.reservationId}/accept`, undefined, low.token);
    await app.api('POST', `/api/reservations/${first.reservationId}/accept`, undefined, high.token);
    await app.api('POST', `/api/conversations/${first.conversationId}/resolve`, {}, high.token);
    // High freed up first and has the higher skill: gets the newer one.
    const third = await sHigh.waitFor('reservation.created', (p) => p.reservationId !== first.reservationId);
    expect(third.contact.address).toBe(newer);
  });
});

describe('sticky routing', () => {
  it('a returning contact goes to the agent who handled them, over a more skilled colleague', async () => {
    const k = key('stick');
    await app.api('POST', '/api/queues', { key: k, name: 'Sticky' });
    const to = await line(k);
    const first = await app.agent({ name: 'Fiona', queues: [{ queue: k, level: 2 }] });
    const sFirst = await app.socket(first.token);
    const donor = await text(to);
    const o1 = await sFirst.waitFor('reservation.created');
    await app.api('POST', `/api/reservations/${o1.reservationId}/accept`, undefined, first.token);
    await app.api('POST', `/api/conversations/${o1.conversationId}/resolve`, {}, first.token);

    const expert = await app.agent({ name: 'Expert', queues: [{ queue: k, level: 5 }] });
    const sExpert = await app.socket(expert.token);
    // A stranger goes to the expert (higher skill)…
    await text(to);
    await sExpert.waitFor('reservation.created');
    // …the returning donor to Fiona.
    await text(to, donor, 'me again');
    const back = await sFirst.waitFor('reservation.created', (p) => p.contact.address === donor && p.reservationId !== o1.reservationId);
    expect(back.conversationId).not.toBe(o1.conversationId);
    // Straight to Fiona: the expert was never offered it (an offer of theirs that lapsed would
    // also end with Fiona, so this is what shows the stickiness).
    expect(sExpert.events.filter((e) => e.event === 'reservation.created' && e.payload.contact.address === donor)).toEqual([]);
    // Fiona away: normal routing, the expert gets the next return.
    await app.api('POST', `/api/reservations/${back.reservationId}/accept`, undefined, first.token);
    await app.api('POST', `/api/conversations/${back.conversationId}/resolve`, {}, first.token);
    await app.api('PUT', '/api/me/status', { status: 'away' }, first.token);
    await text(to, donor, 'third time');
    await sExpert.waitFor('reservation.created', (p) => p.contact.address === donor);
  });
});

describe('declines', () => {
  it('an offer declined is not offered to the same agent again within the cooldown, however skilled', async () => {
    const k = key('decl');
    await app.api('POST', '/api/queues', { key: k, name: 'Declines' });
    const to = await line(k);
    const expert = await app.agent({ name: 'Dee', queues: [{ queue: k, level: 5 }] });
    const sExpert = await app.socket(expert.token);
    const from = await text(to);
    const first = await sExpert.waitFor('reservation.created', (p) => p.contact.address === from);
    expect((await app.api('POST', `/api/reservations/${first.reservationId}/reject`, undefined, expert.token)).status).toBe(200);
    // The only agent declined it: it waits (REOFFER_COOLDOWN_SECONDS is 60) rather than coming straight back.
    // Available only once the desk is connected: an offer made before would be pushed to nobody.
    const novice = await app.agent({ name: 'Ned', queues: [{ queue: k, level: 1 }], available: false });
    const sNovice = await app.socket(novice.token);
    expect((await app.api('PUT', '/api/me/status', { status: 'available' }, novice.token)).status).toBe(200);
    const again = await sNovice.waitFor('reservation.created', (p) => p.contact.address === from);
    expect(again.conversationId).toBe(first.conversationId);
    expect(sExpert.events.filter((e) => e.event === 'reservation.created' && e.payload.contact.address === from)).toHaveLength(1);
  });
});

describe('escalation', () => {
  it('overflows to another skill, raises priority and alerts supervisors, each step once', async () => {
    const overflow = key('ovf');
    const k = key('esc');
    await app.api('POST', '/api/queues', { key: overflow, name: 'Overflow' });
    const q = await app.api('POST', '/api/queues', {
      key: k,
      name: 'Escalating',
      priority: 10,
      escalation: [
        { afterSeconds: 1, addQueues: [overflow] },
        { afterSeconds: 2, raisePriority: 500, notifySupervisors: true },
      ],
    });
    expect(q.status).toBe(201);
    const sup = await app.agent({ name: 'Sup', role: 'supervisor', queues: [], available: false });
    const sSup = await app.socket(sup.token);
    // The overflow agent is at capacity for now, so the contact keeps waiting through both steps.
    const helper = await app.agent({ name: 'Helper', queues: [overflow], capacity: { sms: 0 } });
    const sHelper = await app.socket(helper.token);
    const to = await line(k);
    const from = await text(to);
    const alert = await sSup.waitFor('supervisor.alert', (p) => p.queue === k, 15_000);
    expect(alert.waitingSeconds).toBeGreaterThanOrEqual(2);
    const c = await conv(alert.conversationId);
    expect(c.status).toBe('waiting');
    expect(c.overflowQueues).toEqual([overflow]);
    expect(c.escalationStep).toBe(2);
    // Raised, but never to crisis level (100).
    expect(c.priority).toBe(99);
    expect((c.metadata as any).escalations.map((e: any) => e.step)).toEqual([0, 1]);
    const figures = await app.api('GET', `/api/queues/${k}`);
    expect(figures.body.queue.byPriority).toEqual({ '99': 1 });
    // Nobody serves the original queue; the overflow agent gets it once they have room.
    await app.api('PATCH', `/api/agents/${helper.id}`, { capacity: { sms: 2 } });
    const offer = await sHelper.waitFor('reservation.created');
    expect(offer).toMatchObject({ queue: k, contact: { address: from }, priority: 99 });
    await new Promise((r) => setTimeout(r, 1500));
    expect(sSup.events.filter((e) => e.event === 'supervisor.alert' && e.payload.conversationId === c.id)).toHaveLength(1);
  });
});

describe('live figures', () => {
  it('counts waiting, offers by outcome, service level and abandon rate, and pushes queue.stats to supervisors', async () => {
    const k = key('fig');
    await app.api('POST', '/api/queues', { key: k, name: 'Figures', slaSeconds: 30 });
    const to = await line(k);
    const sup = await app.agent({ name: 'Board', role: 'supervisor', queues: [], available: false });
    const sSup = await app.socket(sup.token);
    await text(to);
    await text(to);
    const waiting = await sSup.waitFor('queue.stats', (p) => p.queues.find((q: any) => q.key === k)?.waiting === 2);
    const fig = waiting.queues.find((q: any) => q.key === k);
    expect(fig).toMatchObject({ agentsAvailable: 0, agentsEligible: 0, byPriority: { '0': 2 } });
    expect(fig.longestWaitSeconds).toBeGreaterThanOrEqual(0);

    const x = await app.agent({ name: 'Xan', queues: [k], capacity: { sms: 1 }, available: false });
    const y = await app.agent({ name: 'Yu', queues: [k], capacity: { sms: 1 }, available: false });
    const [sx, sy] = await Promise.all([app.socket(x.token), app.socket(y.token)]);
    await app.api('PUT', '/api/me/status', { status: 'available' }, x.token);
    await app.api('PUT', '/api/me/status', { status: 'available' }, y.token);
    const ox = await sx.waitFor('reservation.created');
    const oy = await sy.waitFor('reservation.created');
    await app.api('POST', `/api/reservations/${ox.reservationId}/accept`, undefined, x.token);
    expect((await app.api('POST', `/api/reservations/${oy.reservationId}/reject`, undefined, y.token)).status).toBe(200);
    // Rejected by Yu (cooldown), Xan is full: it waits; the contact gives up.
    await app.sb.deps.db
      .update(conversations)
      .set({ status: 'abandoned', abandonedAt: sql`now()` })
      .where(eq(conversations.id, oy.conversationId));
    const q = await eventually(async () => {
      const r = await app.api('GET', `/api/queues/${k}`);
      return r.body.queue.window.offers.rejected === 1 && r.body.queue.window.abandoned === 1 ? r.body.queue : undefined;
    });
    expect(q.window).toMatchObject({
      seconds: 600,
      created: 2,
      answered: 1,
      answeredInSla: 1,
      abandoned: 1,
      offers: { accepted: 1, rejected: 1, timedOut: 0 },
    });
    expect(q.serviceLevel).toBe(50);
    expect(q.abandonRate).toBe(50);
    expect(q.today).toMatchObject({ created: 2, answered: 1, abandoned: 1 });
    // Xan is full for SMS but could still take email or a call: both count as eligible.
    expect(q).toMatchObject({ waiting: 0, assigned: 1, agentsAvailable: 2, agentsEligible: 2 });
    await sSup.waitFor('queue.stats', (p) => p.queues.find((qq: any) => qq.key === k)?.assigned === 1);
  });
});
