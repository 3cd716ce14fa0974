import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markCallEnded, markOnCall } from '../src/core/agents/set-presence.js';
import { randomPhone, startTestApp, type TestApp } from './helpers/harness.js';

/**
 * Routing is event-driven: with the reconciler effectively off (once an hour),
 * every trigger below must still route at once.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('routing-events', {
    RECONCILE_INTERVAL_SECONDS: '3600',
    RESERVATION_TIMEOUT_SECONDS: '2',
    REOFFER_COOLDOWN_SECONDS: '0',
    WRAP_UP_SECONDS: '1',
    PRESENCE_GRACE_SECONDS: '1',
  });
  // Let the scheduler's first (immediate) reconcile pass go by.
  await new Promise((r) => setTimeout(r, 500));
});
afterAll(async () => {
  await app?.stop();
});

const FAST = 6000;
let seq = 400;
async function queueWithLine() {
  const key = `ev${randomBytes(3).toString('hex')}`;
  expect((await app.api('POST', '/api/queues', { key, name: key })).status).toBe(201);
  const address = `+1500555${String(seq++).padStart(4, '0')}`;
  expect((await app.api('POST', '/api/inboxes', { kind: 'phone', address, queue: key })).status).toBe(201);
  return { key, text: () => app.sms(randomPhone(), 'hi', { To: address }) };
}

describe('every trigger routes without waiting for the reconciler', () => {
  it('arrival, availability, reject, timeout, resolve, agent change, transfer', async () => {
    const q = await queueWithLine();
    const other = await queueWithLine();
    const a = await app.agent({ name: 'Ev A', queues: [q.key], capacity: { sms: 1 }, available: false });
    const b = await app.agent({ name: 'Ev B', queues: [other.key], capacity: { sms: 2 }, available: false });
    const [sa, sb] = await Promise.all([app.socket(a.token), app.socket(b.token)]);

    // Agent becomes available → the waiting contact is offered.
    await q.text();
    await app.api('PUT', '/api/me/status', { status: 'available' }, a.token);
    const o1 = await sa.waitFor('reservation.created', () => true, FAST);
    // Reject → offered again (cooldown 0: to the only agent).
    await app.api('POST', `/api/reservations/${o1.reservationId}/reject`, undefined, a.token);
    const o2 = await sa.waitFor('reservation.created', (p) => p.reservationId !== o1.reservationId, FAST);
    // Timeout (delayed job) → canceled and offered again.
    await sa.waitFor('reservation.canceled', (p) => p.reservationId === o2.reservationId && p.reason === 'timeout', FAST);
    const o3 = await sa.waitFor('reservation.created', (p) => ![o1, o2].some((o) => o.reservationId === p.reservationId), FAST);
    await app.api('POST', `/api/reservations/${o3.reservationId}/accept`, undefined, a.token);
    // Arrival while A is full: waits; resolve frees capacity → offered.
    await q.text();
    await new Promise((r) => setTimeout(r, 300));
    const before = sa.events.filter((e) => e.event === 'reservation.created').length;
    expect(before).toBe(3);
    await app.api('POST', `/api/conversations/${o3.conversationId}/resolve`, {}, a.token);
    const o4 = await sa.waitFor('reservation.created', (p) => p.conversationId !== o3.conversationId, FAST);
    await app.api('POST', `/api/reservations/${o4.reservationId}/accept`, undefined, a.token);

    // Agent change: B gets A's queue → the next waiting contact goes to B.
    await app.api('PUT', '/api/me/status', { status: 'available' }, b.token);
    await q.text();
    await new Promise((r) => setTimeout(r, 300));
    expect(sb.events.filter((e) => e.event === 'reservation.created')).toHaveLength(0);
    expect((await app.api('PATCH', `/api/agents/${b.id}`, { queues: [other.key, q.key] })).status).toBe(200);
    const o5 = await sb.waitFor('reservation.created', (p) => p.queue === q.key, FAST);
    await app.api('POST', `/api/reservations/${o5.reservationId}/accept`, undefined, b.token);

    // Transfer to a queue → routed at once (to B, who serves it).
    const moved = await app.api('POST', `/api/conversations/${o4.conversationId}/transfer`, { queue: other.key }, a.token);
    expect(moved.status).toBe(200);
    await sb.waitFor('reservation.created', (p) => p.conversationId === o4.conversationId, FAST);
  });

  it('wrap-up ends and a gone desk goes offline by delayed jobs', async () => {
    const q = await queueWithLine();
    const a = await app.agent({ name: 'Ev C', queues: [q.key] });
    const s = await app.socket(a.token);
    await markOnCall(app.sb.deps, a.id);
    await markCallEnded(app.sb.deps, a.id);
    await s.waitFor('agent.presence', (p) => p.presence === 'available' && p.reason === 'wrap-up ended', FAST);
    const sup = await app.agent({ name: 'Ev Sup', role: 'supervisor', queues: [], available: false });
    const sSup = await app.socket(sup.token);
    s.close();
    await sSup.waitFor('agent.presence', (p) => p.agentId === a.id && p.presence === 'offline', FAST);
  });
});
