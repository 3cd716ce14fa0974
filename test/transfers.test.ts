import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseAgent, type RoutableAgent, type WaitingConversation } from '../src/core/routing/policy.js';
import { startTestApp, type TestApp } from './helpers/harness.js';
import { routingFixtures, ROUTING_TEST_ENV } from './helpers/routing-fixtures.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('transfers', { ...ROUTING_TEST_ENV, RESERVATION_TIMEOUT_SECONDS: '30' });
});
afterAll(async () => {
  await app?.stop();
});
const { line, text, key } = routingFixtures(() => app);

/** A queue with its own hotline number; resolves with both. */
async function queueWithLine(prefix: string) {
  const k = key(prefix);
  expect((await app.api('POST', '/api/queues', { key: k, name: `Queue ${prefix}` })).status).toBe(201);
  return { key: k, to: await line(k) };
}

/** An agent accepts the next offer on its socket; resolves with the conversation id. */
async function takeNext(s: Awaited<ReturnType<TestApp['socket']>>, token: string) {
  const offer = await s.waitFor('reservation.created', (p) => !s.events.some((e) => e.event === 'taken' && e.payload === p.reservationId));
  s.events.push({ event: 'taken', payload: offer.reservationId });
  expect((await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, {}, token)).status).toBe(200);
  return offer.conversationId as string;
}

describe('transfers', () => {
  it('an agent hands a text to a queue it does not serve, with a note the receiver sees and the timeline keeps', async () => {
    const donor = await queueWithLine('donor');
    const crisis = await queueWithLine('crisis');
    const sender = await app.agent({ name: 'Sandra Sender', queues: [donor.key] });
    const sSender = await app.socket(sender.token);
    await text(donor.to, undefined, 'About my gift aid form');
    const id = await takeNext(sSender, sender.token);

    // The targets list every queue, not only the sender's.
    const targets = await app.api('GET', `/api/conversations/${id}/transfer-targets`, undefined, sender.token);
    expect(targets.status).toBe(200);
    expect(targets.body.queues.map((q: any) => q.key)).toEqual(expect.arrayContaining([donor.key, crisis.key]));
    expect(targets.body.agents.some((a: any) => a.id === sender.id)).toBe(false);

    const receiver = await app.agent({ name: 'Rita Receiver', queues: [crisis.key] });
    const sReceiver = await app.socket(receiver.token);
    const r = await app.api(
      'POST',
      `/api/conversations/${id}/transfer`,
      { queue: crisis.key, note: 'Worrying text, please call back' },
      sender.token,
    );
    expect(r.status).toBe(200);
    const offer = await sReceiver.waitFor('reservation.created', (p) => p.conversationId === id);
    expect(offer.transfer).toEqual({ by: { id: sender.id, name: 'Sandra Sender' }, note: 'Worrying text, please call back' });
    // A desk that reloads gets the same.
    const listed = await app.api('GET', '/api/reservations', undefined, receiver.token);
    expect(listed.body.reservations[0].transfer.note).toBe('Worrying text, please call back');
    await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, {}, receiver.token);

    const detail = await app.api('GET', `/api/conversations/${id}`, undefined, receiver.token);
    const record = detail.body.messages.find((m: any) => m.metadata?.event === 'transfer');
    expect(record).toMatchObject({
      internal: true,
      authorAgentId: sender.id,
      body: `Transferred to the Queue crisis queue: Worrying text, please call back`,
    });
    expect(record.metadata).toMatchObject({ queue: crisis.key, note: 'Worrying text, please call back' });
    // No SMS went out for it.
    expect(app.twilio.messages().some((m) => m.Body?.includes('Worrying text'))).toBe(false);
  });

  it('a queue transfer passes the sender by while someone else can take it, and comes back only when nobody can', async () => {
    const q = await queueWithLine('both');
    const sender = await app.agent({ name: 'Sol Sender', queues: [q.key] });
    const sSender = await app.socket(sender.token);
    await text(q.to);
    const id = await takeNext(sSender, sender.token);
    const other = await app.agent({ name: 'Otto Other', queues: [q.key] });
    const sOther = await app.socket(other.token);

    expect((await app.api('POST', `/api/conversations/${id}/transfer`, { queue: q.key }, sender.token)).status).toBe(200);
    const offer = await sOther.waitFor('reservation.created', (p) => p.conversationId === id);
    expect(offer.transfer.by.id).toBe(sender.id);
    expect(sSender.events.filter((e) => e.event === 'reservation.created' && e.payload.conversationId === id)).toHaveLength(1);

    // Otto declines and goes away: nobody else can take it, so it comes back to the sender.
    const seen = new Set(sSender.events.map((e) => e.payload?.reservationId));
    await app.api('POST', `/api/reservations/${offer.reservationId}/reject`, {}, other.token);
    await app.api('PUT', '/api/me/status', { status: 'away' }, other.token);
    const back = await sSender.waitFor('reservation.created', (p) => p.conversationId === id && !seen.has(p.reservationId));
    expect(back.transfer.by.id).toBe(sender.id);
  });

  it('a transfer to a person who cannot take it is refused with the reason; the list says so beforehand', async () => {
    const q = await queueWithLine('person');
    const sender = await app.agent({ name: 'Pat Sender', queues: [q.key] });
    const sSender = await app.socket(sender.token);
    const gone = await app.agent({ name: 'Gina Gone', queues: [q.key], available: false });
    const full = await app.agent({ name: 'Fred Full', queues: [q.key], capacity: { sms: 0 } });
    await text(q.to);
    const id = await takeNext(sSender, sender.token);

    const targets = (await app.api('GET', `/api/conversations/${id}/transfer-targets`, undefined, sender.token)).body;
    const row = (agentId: string) => targets.agents.find((a: any) => a.id === agentId);
    expect(row(gone.id)).toMatchObject({ presence: 'offline', selectable: false, reason: 'Offline' });
    expect(row(full.id)).toMatchObject({ selectable: false, reason: 'At capacity for texts' });
    // The bootstrap admin (no queues, never signed in to a desk) is listed, not selectable.
    const admin = targets.agents.find((a: any) => a.name === 'Administrator' || a.name === 'Admin');
    if (admin) expect(admin.selectable).toBe(false);

    const refused = await app.api('POST', `/api/conversations/${id}/transfer`, { agentId: gone.id }, sender.token);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe('Gina Gone cannot take it now: offline.');
    // Nothing changed: still the sender's.
    expect((await app.api('GET', `/api/conversations/${id}`, undefined, sender.token)).body.conversation.assigneeId).toBe(sender.id);

    const tooLong = await app.api('POST', `/api/conversations/${id}/transfer`, { queue: q.key, note: 'x'.repeat(1001) }, sender.token);
    expect(tooLong.status).toBe(400);
  });

  it('an agent may not transfer someone else’s conversation', async () => {
    const q = await queueWithLine('theirs');
    const owner = await app.agent({ name: 'Owen Owner', queues: [q.key] });
    const sOwner = await app.socket(owner.token);
    await text(q.to);
    const id = await takeNext(sOwner, owner.token);
    const peer = await app.agent({ name: 'Peer Agent', queues: [q.key], available: false });
    const r = await app.api('POST', `/api/conversations/${id}/transfer`, { queue: q.key }, peer.token);
    expect(r.status).toBe(403);
    expect(r.body.error.message).toBe('Only the assigned agent (or a supervisor) can transfer it.');
  });
});

describe('routing policy: the transfer sender', () => {
  const agent = (id: string): RoutableAgent => ({
    id,
    presence: 'available',
    levels: { q: 3 },
    free: { voice: 1, sms: 3, email: 5, slack: 3 },
    load: 0,
    lastOfferedAt: null,
  });
  const conv: WaitingConversation = {
    id: 'c',
    queueKey: 'q',
    channel: 'sms',
    priority: 0,
    queuedAt: new Date(),
    contactId: 'x',
    transferredBy: 'a',
  };
  it('is chosen last: another eligible agent first, the sender only when alone', () => {
    // "a" would win on id order; the sender rule puts "b" first.
    expect(chooseAgent(conv, [agent('a'), agent('b')])?.id).toBe('b');
    expect(chooseAgent(conv, [agent('a')])?.id).toBe('a');
    expect(chooseAgent(conv, [agent('a'), { ...agent('b'), free: { voice: 1, sms: 0, email: 5, slack: 3 } }])?.id).toBe('a');
  });
});
