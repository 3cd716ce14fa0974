import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contacts, conversations } from '../src/db/schema.js';
import { eventually, randomPhone, startTestApp, type AgentSocket, type TestApp } from './helpers/harness.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('requests-lifecycle');
});
afterAll(async () => {
  await app?.stop();
});

type Who = { id: string; token: string; sock: AgentSocket };
async function agent(name: string, queues: string[], capacity?: Record<string, number>, role = 'agent'): Promise<Who> {
  const a = await app.agent({ name, queues, capacity, role });
  return { ...a, sock: await app.socket(a.token) };
}

let lines = 0;
/** A queue of its own (and a number that feeds it), so each test's agents get only its contacts. */
async function line(key: string, extra: Record<string, unknown> = {}): Promise<string> {
  const number = `+1500555${String(300 + lines++).padStart(4, '0')}`;
  expect((await app.api('POST', '/api/queues', { key, name: key, ...extra })).status).toBe(201);
  expect((await app.api('POST', '/api/inboxes', { kind: 'phone', address: number, queue: key })).status).toBe(201);
  return number;
}

/** A contact texts `to`; `who` is offered the conversation and takes it. */
async function takes(who: Who, to: string, body: string, phone = randomPhone()): Promise<string> {
  await app.sms(phone, body, { To: to });
  const offer = await who.sock.waitFor('reservation.created', (p) => p.contact.address === phone);
  const ok = await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, who.token);
  expect(ok.status).toBe(200);
  return offer.conversationId as string;
}

/** The first matching event pushed after `mark` (an index into the socket's events). */
const pushedAfter = (who: Who, mark: number, event: string, match: (p: any) => boolean, timeout = 15_000) =>
  eventually(() => who.sock.events.slice(mark).find((e) => e.event === event && match(e.payload))?.payload, { timeout });

const row = async (id: string) => (await app.sb.deps.db.select().from(conversations).where(eq(conversations.id, id)))[0];
const patch = (id: string, body: unknown, token?: string) => app.api('PATCH', `/api/conversations/${id}`, body, token);

describe('reference numbers', () => {
  it('finds a conversation by its number, whatever its status, only for those who may see it', async () => {
    const to = await line('receipts');
    const ivy = await agent('Ivy', ['receipts']);
    const outsider = await app.agent({ name: 'Otto', queues: ['it'], available: false });
    const id = await takes(ivy, to, 'Where is my receipt?');
    const { number } = await row(id);
    expect(number).toBeGreaterThanOrEqual(1000);
    await app.api('POST', `/api/conversations/${id}/resolve`, {}, ivy.token);

    const found = await app.api('GET', `/api/conversations?number=${number}`, undefined, ivy.token);
    expect(found.body.conversations.map((c: any) => [c.id, c.number, c.status])).toEqual([[id, number, 'resolved']]);
    expect((await app.api('GET', `/api/conversations?number=${number}&status=open`, undefined, ivy.token)).body.conversations).toEqual([]);
    expect((await app.api('GET', `/api/conversations?number=${number}`, undefined, outsider.token)).body.conversations).toEqual([]);
    expect((await app.api('GET', '/api/conversations?number=abc')).status).toBe(400);
  });
});

describe('pending and snoozed', () => {
  it('pending frees the slot; the contact answering brings it back to the same agent, pushed live', async () => {
    const to = await line('shifts');
    const pat = await agent('Pat', ['shifts'], { sms: 1 });
    const first = randomPhone();
    await app.sms(first, 'Can I volunteer on Saturday?', { To: to });
    const offer = await pat.sock.waitFor('reservation.created', (p) => p.contact.address === first);
    await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, pat.token);
    const id = offer.conversationId as string;
    await app.api('POST', `/api/conversations/${id}/messages`, { body: 'Which shift would you like?' }, pat.token);

    // At capacity (sms: 1): the next volunteer waits...
    const second = randomPhone();
    await app.sms(second, 'Me too!', { To: to });
    await new Promise((r) => setTimeout(r, 300));
    expect(pat.sock.events.some((e) => e.event === 'reservation.created' && e.payload.contact.address === second)).toBe(false);

    // ...until Pat sets the first one pending: it no longer holds the slot.
    const pending = await patch(id, { status: 'pending' }, pat.token);
    expect(pending.status).toBe(200);
    expect(pending.body.conversation).toMatchObject({ status: 'pending', assigneeId: pat.id });
    expect(pending.body.conversation.pendingSince).toBeTruthy();
    await pat.sock.waitFor('conversation.updated', (p) => p.conversation.id === id && p.conversation.status === 'pending');
    const offer2 = await pat.sock.waitFor('reservation.created', (p) => p.contact.address === second);
    await app.api('POST', `/api/reservations/${offer2.reservationId}/accept`, undefined, pat.token);

    // The first volunteer answers: back to Pat as assigned (even over capacity), message and change pushed.
    await app.sms(first, 'The morning one', { To: to });
    await pat.sock.waitFor('message.created', (p) => p.conversationId === id && p.message.body === 'The morning one');
    await pat.sock.waitFor('conversation.updated', (p) => p.conversation.id === id && p.conversation.status === 'assigned');
    const back = await row(id);
    expect(back).toMatchObject({ status: 'assigned', assigneeId: pat.id, pendingSince: null });
    expect(back.pendingSeconds).toBeGreaterThanOrEqual(0);
  });

  it('snoozed comes back to its agent when the time comes', async () => {
    const to = await line('pledges');
    const sol = await agent('Sol', ['pledges']);
    const id = await takes(sol, to, 'Please call me next week about my pledge');
    const until = new Date(Date.now() + 1500).toISOString();
    const snoozed = await patch(id, { status: 'snoozed', snoozedUntil: until }, sol.token);
    expect(snoozed.status).toBe(200);
    expect(snoozed.body.conversation).toMatchObject({ status: 'snoozed', snoozedUntil: until });
    const mark = sol.sock.events.length;
    await pushedAfter(sol, mark, 'conversation.updated', (p) => p.conversation.id === id && p.conversation.status === 'assigned');
    expect(await row(id)).toMatchObject({ status: 'assigned', assigneeId: sol.id, snoozedUntil: null });
  });

  it('refuses what makes no sense, changing nothing', async () => {
    const to = await line('questions');
    const una = await agent('Una', ['questions']);
    const other = await app.agent({ name: 'Vic', queues: ['questions'], available: false });
    const id = await takes(una, to, 'Question');
    const cases: [unknown, string | undefined, number][] = [
      [{ status: 'snoozed' }, una.token, 400],
      [{ status: 'snoozed', snoozedUntil: new Date(Date.now() - 1000).toISOString() }, una.token, 400],
      [{ status: 'snoozed', snoozedUntil: 'tomorrow' }, una.token, 400],
      [{ status: 'pending', snoozedUntil: new Date(Date.now() + 60_000).toISOString() }, una.token, 400],
      [{ status: 'resolved' }, una.token, 400],
      [{}, una.token, 400],
      [{ status: 'pending' }, other.token, 403],
    ];
    for (const [body, token, status] of cases) {
      const r = await patch(id, body, token);
      expect([r.status, body]).toEqual([status, body]);
    }
    expect((await row(id)).status).toBe('assigned');

    // A conversation nobody holds yet cannot wait on its contact.
    await app.api('PUT', '/api/me/status', { status: 'away' }, una.token);
    const waiting = randomPhone();
    await app.sms(waiting, 'hello?', { To: to });
    const w = await eventually(() =>
      app.sb.deps.db.execute(
        sql`select c.id from conversations c join contact_identities i on i.contact_id = c.contact_id where i.value = ${waiting}`,
      ),
    );
    const sup = await app.agent({ name: 'Sue', queues: ['questions'], role: 'supervisor', available: false });
    expect((await patch((w[0] as { id: string }).id, { status: 'pending' }, sup.token)).status).toBe(409);
  });

  it('a pending conversation left unanswered is resolved with a last message in the contact’s language', async () => {
    const to = await line('store', { autoResolvePendingSeconds: 1 });
    const tom = await agent('Tom', ['store']);
    const phone = randomPhone();
    const id = await takes(tom, to, '¿Dónde está mi pedido?', phone);
    const c = await row(id);
    await app.sb.deps.db.update(contacts).set({ language: 'es' }).where(eq(contacts.id, c.contactId));

    expect((await patch(id, { status: 'pending' }, tom.token)).status).toBe(200);
    await pushedAfter(tom, 0, 'conversation.updated', (p) => p.conversation.id === id && p.conversation.status === 'resolved');
    const done = await row(id);
    expect(done.wrapUpNote).toMatch(/^Resolved automatically/);
    expect(done.pendingSince).toBeNull();
    expect(done.pendingSeconds).toBeGreaterThanOrEqual(1);
    const sent = await eventually(() => app.twilio.messages().find((m) => m.To === phone));
    expect(sent.Body).toBe(
      `Como no hemos recibido respuesta, hemos cerrado la solicitud #${c.number}. Si sigue necesitando ayuda, responda cuando quiera.`,
    );
  });
});

describe('tags', () => {
  it('tags a conversation, filters by tag, lists tags; bad tags store nothing', async () => {
    const to = await line('refunds');
    const wes = await agent('Wes', ['refunds']);
    const a = await takes(wes, to, 'Refund please');
    const b = await takes(wes, to, 'Refund and address change');
    expect((await patch(a, { tags: ['Refund', ' refund ', 'VIP donor'] }, wes.token)).body.conversation.tags).toEqual([
      'refund',
      'vip donor',
    ]);
    expect((await patch(b, { tags: ['refund', 'address'] }, wes.token)).body.conversation.tags).toEqual(['refund', 'address']);

    const refund = await app.api('GET', '/api/conversations?tag=refund&status=all', undefined, wes.token);
    expect(refund.body.conversations.map((c: any) => c.id).sort()).toEqual([a, b].sort());
    const both = await app.api('GET', '/api/conversations?tag=refund&tag=address', undefined, wes.token);
    expect(both.body.conversations.map((c: any) => c.id)).toEqual([b]);
    const tags = await app.api('GET', '/api/tags', undefined, wes.token);
    expect(tags.body.tags.slice(0, 1)).toEqual([{ tag: 'refund', conversations: 2 }]);

    for (const bad of [['<script>'], [''], 'refund', Array.from({ length: 31 }, (_, i) => `t${i}`)]) {
      expect((await patch(a, { tags: bad }, wes.token)).status).toBe(400);
    }
    expect((await row(a)).tags).toEqual(['refund', 'vip donor']);
  });
});

describe('request timers', () => {
  it('survive a restart: a snooze that ends while Switchboard is down comes back after it starts', async () => {
    const to = await line('renewals');
    const yan = await agent('Yan', ['renewals']);
    const id = await takes(yan, to, 'Partnership renewal');
    await patch(id, { status: 'snoozed', snoozedUntil: new Date(Date.now() + 1000).toISOString() }, yan.token);

    await app.restart();
    await eventually(async () => (await row(id)).status === 'assigned', { timeout: 15_000 });
    expect((await row(id)).assigneeId).toBe(yan.id);
  });

  it('run once with several workers: each snooze ends once', async () => {
    await app.extraProcess();
    await app.extraProcess();
    const to = await line('printers');
    const zoe = await agent('Zoe', ['printers'], { sms: 10 });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await takes(zoe, to, `printer ${i} is jammed`));
    const until = new Date(Date.now() + 1500).toISOString();
    for (const id of ids) await patch(id, { status: 'snoozed', snoozedUntil: until }, zoe.token);
    await eventually(async () => (await Promise.all(ids.map(row))).every((c) => c.status === 'assigned'), { timeout: 15_000 });
    await new Promise((r) => setTimeout(r, 1500));
    for (const id of ids) {
      const backs = zoe.sock.events.filter(
        (e) => e.event === 'conversation.updated' && e.payload.conversation.id === id && e.payload.conversation.status === 'assigned',
      );
      // Once when accepted, once when the snooze ended.
      expect(backs).toHaveLength(2);
    }
  });
});
