import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offerPayloads } from '../src/core/routing/dispatch.js';
import { agents, contactIdentities, contacts, conversations, reservations } from '../src/db/schema.js';
import { eventually, HOTLINE, randomPhone, startTestApp, type TestApp } from './helpers/harness.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('sms-to-agent');
});
afterAll(async () => {
  await app?.stop();
});

describe('a donor texts the hotline', () => {
  it('reaches an available agent, who accepts and replies by SMS', async () => {
    const dana = await app.agent({ name: 'Dana', queues: ['donor'] });
    const sock = await app.socket(dana.token);
    const donor = randomPhone();

    const inbound = await app.sms(donor, 'Hi, I want to change my monthly donation');
    expect(inbound.status).toBe(200);
    expect(inbound.text).toContain('<Response');

    const offer = await sock.waitFor('reservation.created');
    expect(offer).toMatchObject({ channel: 'sms', queue: 'donor', contact: { address: donor } });
    expect(new Date(offer.expiresAt).getTime()).toBeGreaterThan(Date.now());

    const accepted = await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, dana.token);
    expect(accepted.status).toBe(200);
    expect(accepted.body.conversation).toMatchObject({ status: 'assigned', assigneeId: dana.id });
    await sock.waitFor('conversation.assigned', (p) => p.conversationId === offer.conversationId && p.agentId === dana.id);

    // A second text lands in the same conversation and is pushed live.
    await app.sms(donor, 'It is for the $25 plan');
    const pushed = await sock.waitFor('message.created', (p) => p.message.body === 'It is for the $25 plan');
    expect(pushed.conversationId).toBe(offer.conversationId);

    const reply = await app.api(
      'POST',
      `/api/conversations/${offer.conversationId}/messages`,
      { body: 'Sure, I can help with that.' },
      dana.token,
    );
    expect(reply.status).toBe(201);
    expect(reply.body.message).toMatchObject({ direction: 'outbound', internal: false });

    const sent = await eventually(() => app.twilio.messages().find((m) => m.Body === 'Sure, I can help with that.'));
    expect(sent).toMatchObject({ To: donor, From: HOTLINE, StatusCallback: 'https://switchboard.test/webhooks/twilio/sms/status' });
    expect(app.twilio.requests.find((r) => r.params.Body === 'Sure, I can help with that.')?.accountSid).toBe(app.config.twilio.accountSid);

    // The reply is stored with Twilio's MessageSid, and the status callback moves it on.
    const stored = await eventually(async () => {
      const c = await app.api('GET', `/api/conversations/${offer.conversationId}`, undefined, dana.token);
      const m = c.body.messages.find((x: any) => x.body === 'Sure, I can help with that.');
      return m?.status === 'queued' ? c.body : undefined;
    });
    expect(stored.messages.map((m: any) => m.body)).toEqual([
      'Hi, I want to change my monthly donation',
      'It is for the $25 plan',
      'Sure, I can help with that.',
    ]);
    const replySid = (await app.sb.deps.db.query.messages.findFirst({ where: (m, { eq }) => eq(m.id, reply.body.message.id) }))!
      .externalId!;
    expect(replySid).toMatch(/^SM[0-9a-f]{32}$/);
    const cb = await app.twilioPost('/webhooks/twilio/sms/status', { MessageSid: replySid, MessageStatus: 'delivered' });
    expect(cb.status).toBe(204);
    await eventually(async () => {
      const c = await app.api('GET', `/api/conversations/${offer.conversationId}`, undefined, dana.token);
      return c.body.messages.find((x: any) => x.id === reply.body.message.id)?.status === 'delivered';
    });
    // A late "sent" never moves it backwards.
    await app.twilioPost('/webhooks/twilio/sms/status', { MessageSid: replySid, MessageStatus: 'sent' });
    const after = await app.api('GET', `/api/conversations/${offer.conversationId}`, undefined, dana.token);
    expect(after.body.messages.find((x: any) => x.id === reply.body.message.id).status).toBe('delivered');
  });

  it('an offer names the contact, the number they texted from and a preview of their latest text', async () => {
    const donor = randomPhone();
    const long = 'My card was charged twice for the rally tickets. '.repeat(5).trim();
    await app.sms(donor, long);
    const { db } = app.sb.deps;
    const [c] = await eventually(() =>
      db
        .select({ id: conversations.id, contactId: conversations.contactId, queueKey: conversations.queueKey })
        .from(conversations)
        .innerJoin(contactIdentities, eq(contactIdentities.id, conversations.contactIdentityId))
        .where(eq(contactIdentities.value, donor))
        .then((rows) => (rows.length ? rows : undefined)),
    );
    // The contact is known by an older email too: the offer shows the number this conversation came from.
    await db.update(contacts).set({ name: 'Rosa Diaz' }).where(eq(contacts.id, c.contactId));
    await db
      .insert(contactIdentities)
      .values({ contactId: c.contactId, kind: 'email', value: 'rosa@example.org', createdAt: new Date(Date.now() - 86_400_000) });
    const offer = {
      reservationId: '00000000-0000-4000-8000-000000000001',
      conversationId: c.id,
      agentId: '00000000-0000-4000-8000-000000000002',
      channel: 'sms' as const,
      queueKey: c.queueKey,
      priority: 0,
      contactId: c.contactId,
      expiresAt: new Date(Date.now() + 60_000),
    };
    const [payload] = await offerPayloads(db, [offer]);
    expect(payload.contact).toEqual({ id: c.contactId, name: 'Rosa Diaz', address: donor });
    expect(payload.preview).toBe(`${long.slice(0, 139).trimEnd()}…`);
    expect(payload.transfer).toBeNull();

    // The latest text is what the preview shows; one with no words (a photo alone) shows none.
    await app.sms(donor, 'Also, can I get a receipt?');
    await eventually(async () => (await offerPayloads(db, [offer]))[0].preview === 'Also, can I get a receipt?');
    await app.sms(donor, '', { NumMedia: '0' });
    await eventually(async () => (await offerPayloads(db, [offer]))[0].preview === null);
  });

  it('stores an internal note without sending anything', async () => {
    const ed = await app.agent({ name: 'Ed', queues: ['donor'] });
    const sock = await app.socket(ed.token);
    await app.sms(randomPhone(), 'Question about my receipt');
    const offer = await sock.waitFor('reservation.created');
    await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, ed.token);
    const before = app.twilio.messages().length;
    const note = await app.api(
      'POST',
      `/api/conversations/${offer.conversationId}/messages`,
      { body: 'Checked: receipt was emailed', internal: true },
      ed.token,
    );
    expect(note.status).toBe(201);
    expect(note.body.message).toMatchObject({ internal: true, status: 'note' });
    await new Promise((r) => setTimeout(r, 300));
    expect(app.twilio.messages().length).toBe(before);
  });

  it('resolving frees capacity; the next text opens a new conversation', async () => {
    const fay = await app.agent({ name: 'Fay', queues: ['partner'], capacity: { sms: 1 } });
    const sock = await app.socket(fay.token);
    const { body: inbox } = await app.api('POST', '/api/inboxes', { kind: 'phone', address: '+15005550100', queue: 'partner' });
    expect(inbox.inbox.queue).toBe('partner');
    const partner = randomPhone();
    const first = await app.sms(partner, 'Endorsement question', { To: '+15005550100' });
    expect(first.status).toBe(200);
    const offer1 = await sock.waitFor('reservation.created', (p) => p.queue === 'partner');
    await app.api('POST', `/api/reservations/${offer1.reservationId}/accept`, undefined, fay.token);

    // Fay is at capacity (sms: 1): another partner waits.
    const other = randomPhone();
    await app.sms(other, 'Another partner here', { To: '+15005550100' });
    await new Promise((r) => setTimeout(r, 400));
    expect(sock.events.filter((e) => e.event === 'reservation.created')).toHaveLength(1);

    const resolved = await app.api('POST', `/api/conversations/${offer1.conversationId}/resolve`, { disposition: 'answered' }, fay.token);
    expect(resolved.status).toBe(200);
    expect(resolved.body.conversation.status).toBe('resolved');
    // Freed capacity goes to the waiting partner at once.
    const offer2 = await sock.waitFor('reservation.created', (p) => p.contact.address === other);
    expect(offer2.conversationId).not.toBe(offer1.conversationId);

    // The first partner texts again: a new conversation, not the resolved one.
    await app.sms(partner, 'One more thing', { To: '+15005550100' });
    const list = await eventually(async () => {
      const r = await app.api('GET', `/api/conversations?status=all&queue=partner&limit=10`);
      const mine = r.body.conversations.filter((c: any) => c.contact.address === partner);
      return mine.length === 2 ? mine : undefined;
    });
    expect(list.map((c: any) => c.status).sort()).toEqual(['resolved', 'waiting']);
  });

  it('a reject offers it to the next eligible agent', async () => {
    const stores = app; // same app, separate queue to keep counts clear
    const gil = await stores.agent({ name: 'Gil', queues: ['it'] });
    const hal = await stores.agent({ name: 'Hal', queues: ['it'] });
    const sGil = await app.socket(gil.token);
    const sHal = await app.socket(hal.token);
    await app.api('POST', '/api/inboxes', { kind: 'phone', address: '+15005550101', queue: 'it' });
    await app.sms(randomPhone(), 'My laptop will not boot', { To: '+15005550101' });
    const first = await eventually(() => [...sGil.events, ...sHal.events].find((e) => e.event === 'reservation.created')?.payload);
    const firstIsGil = sGil.events.some((e) => e.event === 'reservation.created');
    const [firstAgent, secondSock] = firstIsGil ? [gil, sHal] : [hal, sGil];
    const rej = await app.api('POST', `/api/reservations/${first.reservationId}/reject`, undefined, firstAgent.token);
    expect(rej.status).toBe(200);
    const second = await secondSock.waitFor('reservation.created');
    expect(second.conversationId).toBe(first.conversationId);
    // Accepting the rejected offer is refused.
    const late = await app.api('POST', `/api/reservations/${first.reservationId}/accept`, undefined, firstAgent.token);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('offer_expired');
  });

  it('an agent who reloads the desk still sees the offer ringing; nobody else does', async () => {
    const kim = await app.agent({ name: 'Kim', queues: ['volunteer'] });
    const other = await app.agent({ name: 'Lou', queues: ['volunteer'], available: false });
    const sock = await app.socket(kim.token);
    await app.api('POST', '/api/inboxes', { kind: 'phone', address: '+15005550104', queue: 'volunteer' });
    const from = randomPhone();
    await app.sms(from, 'Can I swap my canvassing shift?', { To: '+15005550104' });
    const pushed = await sock.waitFor('reservation.created');
    sock.close(); // the page reloads

    const listed = await app.api('GET', '/api/reservations', undefined, kim.token);
    expect(listed.status).toBe(200);
    expect(listed.body.reservations).toEqual([pushed]);
    expect((await app.api('GET', '/api/reservations', undefined, other.token)).body.reservations).toEqual([]);

    await app.api('POST', `/api/reservations/${pushed.reservationId}/accept`, undefined, kim.token);
    expect((await app.api('GET', '/api/reservations', undefined, kim.token)).body.reservations).toEqual([]);
  });

  it('lists conversations newest first with a cursor', async () => {
    const page1 = await app.api('GET', '/api/conversations?status=all&limit=2');
    expect(page1.status).toBe(200);
    expect(page1.body.conversations).toHaveLength(2);
    expect(page1.body.nextCursor).toBeTruthy();
    const page2 = await app.api('GET', `/api/conversations?status=all&limit=2&cursor=${page1.body.nextCursor}`);
    const ids = [...page1.body.conversations, ...page2.body.conversations].map((c: any) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const times = [...page1.body.conversations, ...page2.body.conversations].map((c: any) => Date.parse(c.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const bad = await app.api('GET', '/api/conversations?cursor=garbage');
    expect(bad.status).toBe(400);
  });
});

describe('accepting an offer', () => {
  /** A queue and line of its own, one agent on it, and `n` texts offered to that agent. */
  async function offersTo(name: string, line: string, n = 1) {
    const queue = `q${line.slice(-3)}`;
    await app.api('POST', '/api/queues', { key: queue, name: `Queue ${name}`, priority: 10, slaSeconds: 60 });
    await app.api('POST', '/api/inboxes', { kind: 'phone', address: line, queue });
    const agent = await app.agent({ name, queues: [queue], capacity: { sms: n } });
    const sock = await app.socket(agent.token);
    for (let i = 0; i < n; i++) await app.sms(randomPhone(), `question ${i} for ${name}`, { To: line });
    await eventually(() => sock.events.filter((e) => e.event === 'reservation.created').length === n || undefined, { timeout: 20_000 });
    const offers = sock.events.filter((e) => e.event === 'reservation.created').map((e) => e.payload);
    return { agent, sock, offers };
  }
  const db = () => app.sb.deps.db;
  const offerRow = async (id: string) => (await db().select().from(reservations).where(eq(reservations.id, id)))[0];
  const conversationRow = async (id: string) => (await db().select().from(conversations).where(eq(conversations.id, id)))[0];
  const lapses = async (id: string) => (await db().select().from(agents).where(eq(agents.id, id)))[0].consecutiveTimeouts;
  const accept = (id: string, token: string) => app.api('POST', `/api/reservations/${id}/accept`, undefined, token);

  it('takes the offer once: a second accept, an unknown offer and another agent’s are refused', async () => {
    const { agent, offers } = await offersTo('Max', '+15005550111');
    const [offer] = offers;
    const other = await app.agent({ name: 'Ned', queues: ['it'], available: false });
    await db().update(agents).set({ consecutiveTimeouts: 2 }).where(eq(agents.id, agent.id));

    // Another agent's offer is "not found", and touches nothing.
    const theirs = await accept(offer.reservationId, other.token);
    expect(theirs.status).toBe(404);
    expect((await offerRow(offer.reservationId)).status).toBe('pending');
    expect((await conversationRow(offer.conversationId)).status).toBe('offered');
    expect(await lapses(agent.id)).toBe(2);
    expect((await accept('00000000-0000-0000-0000-000000000000', agent.token)).status).toBe(404);

    const ok = await accept(offer.reservationId, agent.token);
    expect(ok.status).toBe(200);
    expect(ok.body.conversation).toMatchObject({ id: offer.conversationId, status: 'assigned', assigneeId: agent.id });
    expect(await offerRow(offer.reservationId)).toMatchObject({ status: 'accepted', answeredAt: expect.any(Date) });
    expect(await conversationRow(offer.conversationId)).toMatchObject({ assigneeId: agent.id, acceptedAt: expect.any(Date) });
    expect(await lapses(agent.id)).toBe(0);

    const again = await accept(offer.reservationId, agent.token);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'offer_expired', message: 'this offer is accepted' });
    // Someone else's taken offer is still "not found" (not "expired").
    expect((await accept(offer.reservationId, other.token)).status).toBe(404);
  });

  it('refuses an offer past its time before the sweep withdrew it, and one whose conversation stopped waiting, changing nothing', async () => {
    const { agent, offers } = await offersTo('Oli', '+15005550112', 2);
    const [late, gone] = offers;
    await db().update(agents).set({ consecutiveTimeouts: 1 }).where(eq(agents.id, agent.id));

    await db()
      .update(reservations)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(reservations.id, late.reservationId));
    const expired = await accept(late.reservationId, agent.token);
    expect(expired.status).toBe(409);
    expect(expired.body.error).toMatchObject({ code: 'offer_expired', message: 'this offer is expired' });
    expect((await conversationRow(late.conversationId)).status).toBe('offered');

    await db().update(conversations).set({ status: 'waiting' }).where(eq(conversations.id, gone.conversationId));
    const stopped = await accept(gone.reservationId, agent.token);
    expect(stopped.status).toBe(409);
    expect(stopped.body.error).toMatchObject({ code: 'offer_expired', message: 'this conversation is no longer waiting' });
    expect(await offerRow(gone.reservationId)).toMatchObject({ status: 'pending', answeredAt: null });
    expect(await conversationRow(gone.conversationId)).toMatchObject({ status: 'waiting', assigneeId: null, acceptedAt: null });
    expect(await lapses(agent.id)).toBe(1);
    // Offered again (a waiting conversation with a live offer would stop the router), it can be taken.
    await db().update(conversations).set({ status: 'offered' }).where(eq(conversations.id, gone.conversationId));
    expect((await accept(gone.reservationId, agent.token)).status).toBe(200);
  });

  it('an accept racing the agent going away: each offer ends accepted and assigned, or withdrawn and waiting', async () => {
    const { agent, offers } = await offersTo('Pia', '+15005550113', 6);
    const [away, ...accepts] = await Promise.all([
      app.api('PUT', '/api/me/status', { status: 'away' }, agent.token),
      ...offers.map((o) => accept(o.reservationId, agent.token)),
    ]);
    expect(away.status).toBe(200);
    const rows = await db()
      .select({ r: reservations, c: conversations })
      .from(reservations)
      .innerJoin(conversations, eq(conversations.id, reservations.conversationId))
      .where(
        inArray(
          reservations.id,
          offers.map((o) => o.reservationId),
        ),
      );
    for (const [i, o] of offers.entries()) {
      const { r, c } = rows.find((x) => x.r.id === o.reservationId)!;
      if (accepts[i].status === 200) {
        expect(r.status).toBe('accepted');
        expect(c).toMatchObject({ status: 'assigned', assigneeId: agent.id });
      } else {
        expect(accepts[i].body.error.code).toBe('offer_expired');
        expect(r.status).toBe('canceled');
        expect(c).toMatchObject({ status: 'waiting', assigneeId: null });
      }
    }
  });
});
