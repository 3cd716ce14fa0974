/**
 * One conversation in a state the invariants forbid (waiting, yet holding a live offer: a bug or
 * a hand edit) must not stop routing for everyone: the round skips it and offers the rest.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { reservations } from '../src/db/schema.js';
import { randomPhone, startTestApp, type TestApp } from './helpers/harness.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('routing-stray-offer');
});
afterAll(async () => {
  await app?.stop();
});

it('a waiting conversation that holds a live offer is skipped; the others are offered', async () => {
  const pia = await app.agent({ name: 'Pia', queues: ['donor'], available: false });
  const [stray, next] = [randomPhone(), randomPhone()];
  await app.sms(stray, 'First in line');
  await app.sms(next, 'Second in line');
  const first = await app.conversationOf(stray);
  await app.conversationOf(next);
  await app.sb.deps.db
    .insert(reservations)
    .values({ conversationId: first.id, agentId: pia.id, channel: 'sms', expiresAt: new Date(Date.now() + 3_600_000) });

  const sock = await app.socket(pia.token);
  expect((await app.api('PUT', '/api/me/status', { status: 'available' }, pia.token)).status).toBe(200);
  const offer = await sock.waitFor('reservation.created');
  expect(offer.contact.address).toBe(next);
  expect((await app.conversationOf(stray)).status).toBe('waiting');
});
