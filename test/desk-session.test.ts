import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agents, reservations } from '../src/db/schema.js';
import { startTestApp, type TestApp } from './helpers/harness.js';
import { routingFixtures, ROUTING_TEST_ENV } from './helpers/routing-fixtures.js';

let app: TestApp;
beforeAll(async () => {
  // Offers last long enough that only signing out can end them within the test.
  app = await startTestApp('desk-session', { ...ROUTING_TEST_ENV, RESERVATION_TIMEOUT_SECONDS: '60', PRESENCE_GRACE_SECONDS: '60' });
});
afterAll(async () => {
  await app?.stop();
});
const { line, text, key } = routingFixtures(() => app);
const presenceOf = async (id: string) => (await app.sb.deps.db.select().from(agents).where(eq(agents.id, id)))[0].presence;

describe('signing out', () => {
  it('sets the agent offline at once and its ringing offer goes to the next agent', async () => {
    const k = key('out');
    await app.api('POST', '/api/queues', { key: k, name: 'Sign out' });
    const to = await line(k);
    const leaver = await app.agent({ name: 'Leaver', queues: [k] });
    const sLeaver = await app.socket(leaver.token);
    await text(to);
    const offer = await sLeaver.waitFor('reservation.created');
    const other = await app.agent({ name: 'Other', queues: [k] });
    const sOther = await app.socket(other.token);

    // The desk signs out with its bearer token (an API client; the desk also sends its session cookie).
    const r = await app.api('POST', '/api/auth/logout', undefined, leaver.token);
    expect(r.status).toBe(204);
    expect(await presenceOf(leaver.id)).toBe('offline');
    const canceled = await sLeaver.waitFor('reservation.canceled', (p) => p.reservationId === offer.reservationId);
    expect(canceled.reason).toBe('agent unavailable');
    const again = await sOther.waitFor('reservation.created', (p) => p.conversationId === offer.conversationId);
    expect(again.reservationId).not.toBe(offer.reservationId);
    const [old] = await app.sb.deps.db.select().from(reservations).where(eq(reservations.id, offer.reservationId));
    expect(old.status).not.toBe('pending');
  });

  it('a sign-out without a valid session changes nobody', async () => {
    const a = await app.agent({ name: 'Stays' });
    expect((await app.api('POST', '/api/auth/logout', undefined, 'not-a-token')).status).toBe(204);
    expect((await app.api('POST', '/api/auth/logout', undefined, null)).status).toBe(204);
    expect(await presenceOf(a.id)).toBe('available');
  });
});

describe('the server clock for offer countdowns', () => {
  it('answers `clock` with its time in milliseconds', async () => {
    const a = await app.agent({ name: 'Clocky', available: false });
    const s = await app.socket(a.token);
    const before = Date.now();
    const serverMs = await new Promise<number>((resolve) => s.socket.emit('clock', resolve));
    expect(serverMs).toBeGreaterThanOrEqual(before - 5);
    expect(serverMs).toBeLessThanOrEqual(Date.now() + 5);
    // Without an acknowledgement to answer, nothing happens (and nothing breaks).
    s.socket.emit('clock');
    s.socket.emit('clock', 'not a function');
    expect(s.socket.connected).toBe(true);
  });
});
