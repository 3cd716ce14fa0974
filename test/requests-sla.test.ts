import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBusinessSeconds } from '../src/core/business-hours.js';
import { contacts, conversations, slaEvents } from '../src/db/schema.js';
import { eventually, randomPhone, startTestApp, type AgentSocket, type TestApp } from './helpers/harness.js';

let app: TestApp;
let boss: { id: string; token: string; sock: AgentSocket };
beforeAll(async () => {
  app = await startTestApp('requests-sla');
  const b = await app.agent({ name: 'Bea', role: 'supervisor', queues: [], available: false });
  boss = { ...b, sock: await app.socket(b.token) };
}, 60_000);
afterAll(async () => {
  await app?.stop();
});

type Who = { id: string; token: string; sock: AgentSocket };
let lines = 0;
async function line(key: string, extra: Record<string, unknown>): Promise<string> {
  const number = `+1500555${String(700 + lines++).padStart(4, '0')}`;
  const q = await app.api('POST', '/api/queues', { key, name: key, ...extra });
  expect(q.status).toBe(201);
  expect((await app.api('POST', '/api/inboxes', { kind: 'phone', address: number, queue: key })).status).toBe(201);
  return number;
}
async function agent(name: string, queues: string[]): Promise<Who> {
  const a = await app.agent({ name, queues, capacity: { sms: 10 } });
  return { ...a, sock: await app.socket(a.token) };
}
async function takes(who: Who, to: string, body: string, phone = randomPhone()): Promise<string> {
  await app.sms(phone, body, { To: to });
  const offer = await who.sock.waitFor('reservation.created', (p) => p.contact.address === phone);
  expect((await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, who.token)).status).toBe(200);
  return offer.conversationId as string;
}
const row = async (id: string) => (await app.sb.deps.db.select().from(conversations).where(eq(conversations.id, id)))[0];
const detail = async (id: string, token = app.adminToken) => (await app.api('GET', `/api/conversations/${id}`, undefined, token)).body;
const alerts = (sock: AgentSocket, id: string, event: string) =>
  sock.events.filter((e) => e.event === event && e.payload.conversationId === id);
const events = async (id: string) =>
  (await app.sb.deps.db.select().from(slaEvents).where(eq(slaEvents.conversationId, id))).map((e) => `${e.kind}:${e.level}`).sort();

describe('SLA policies', () => {
  it('first response: a warning at 80 % then a breach, once each, to the assignee and supervisors; stored and shown', async () => {
    // 5 s: the warning (at 4 s) comes after the agent has taken it, even on a slow machine.
    const to = await line('sla-first', { sla: { firstResponseSeconds: 5, resolutionSeconds: 3600 } });
    const fay = await agent('Fay', ['sla-first']);
    const id = await takes(fay, to, 'My donation page shows an error');
    const c = await row(id);
    expect(c.firstResponseDueAt!.getTime() - c.createdAt.getTime()).toBe(5000);
    expect(c.firstResponseWarnAt!.getTime() - c.createdAt.getTime()).toBe(4000);
    expect(c.resolutionDueAt!.getTime() - c.createdAt.getTime()).toBe(3600_000);

    // The sweep runs every second; the wait allows for a CI box starting a hundred test files at once.
    const warning = await fay.sock.waitFor('sla.warning', (p) => p.conversationId === id, 20_000);
    expect(warning).toEqual({
      conversationId: id,
      number: c.number,
      queue: 'sla-first',
      kind: 'firstResponse',
      dueAt: c.firstResponseDueAt!.toISOString(),
    });
    const breach = await boss.sock.waitFor('sla.breached', (p) => p.conversationId === id, 20_000);
    expect(breach).toMatchObject({ kind: 'firstResponse', number: c.number, dueAt: c.firstResponseDueAt!.toISOString() });
    await fay.sock.waitFor('sla.breached', (p) => p.conversationId === id);
    // The desk learns it through conversation.updated too.
    await fay.sock.waitFor('conversation.updated', (p) => p.conversation.id === id && p.conversation.sla.breaches.length === 1);

    // Several more reconciler ticks: nothing is sent twice.
    await new Promise((r) => setTimeout(r, 2500));
    for (const sock of [fay.sock, boss.sock]) {
      expect(alerts(sock, id, 'sla.warning')).toHaveLength(1);
      expect(alerts(sock, id, 'sla.breached')).toHaveLength(1);
    }
    expect(await events(id)).toEqual(['firstResponse:breach', 'firstResponse:warning']);
    const shown = (await detail(id, fay.token)).conversation;
    expect(shown.sla).toEqual({
      firstResponseDueAt: c.firstResponseDueAt!.toISOString(),
      firstResponseAt: null,
      nextResponseDueAt: null,
      resolutionDueAt: c.resolutionDueAt!.toISOString(),
      breaches: [{ kind: 'firstResponse', at: expect.any(String), dueAt: c.firstResponseDueAt!.toISOString() }],
    });
    expect(shown.dueAt).toBe(c.firstResponseDueAt!.toISOString());

    // Answering stops the clock; the breach stays on record.
    await app.api('POST', `/api/conversations/${id}/messages`, { body: 'Sorry, looking now' }, fay.token);
    const answered = (await detail(id, fay.token)).conversation;
    expect(answered.sla.firstResponseAt).toBeTruthy();
    expect(answered.sla.breaches).toHaveLength(1);
    expect(answered.dueAt).toBe(c.resolutionDueAt!.toISOString());
    const figures = await app.api('GET', '/api/queues/sla-first');
    expect(figures.body.queue).toMatchObject({ sla: { firstResponseSeconds: 5, resolutionSeconds: 3600 }, slaBreachedOpen: 0 });
  });

  it('answered in time: no alert; next response runs after each contact message and stops when the agent answers', async () => {
    const to = await line('sla-next', { sla: { firstResponseSeconds: 3600, nextResponseSeconds: 2, resolutionSeconds: 3600 } });
    const ned = await agent('Ned', ['sla-next']);
    const phone = randomPhone();
    const id = await takes(ned, to, 'Can I change my monthly amount?', phone);
    await app.api('POST', `/api/conversations/${id}/messages`, { body: 'Sure, to how much?' }, ned.token);
    expect((await row(id)).nextResponseDueAt).toBeNull();

    await app.sms(phone, 'Twenty dollars please', { To: to });
    const running = await eventually(async () => (await row(id)).nextResponseDueAt);
    const breach = await ned.sock.waitFor('sla.breached', (p) => p.conversationId === id);
    expect(breach).toMatchObject({ kind: 'nextResponse', dueAt: running.toISOString() });
    await app.api('POST', `/api/conversations/${id}/messages`, { body: 'Done!' }, ned.token);
    expect((await row(id)).nextResponseDueAt).toBeNull();
    expect(alerts(ned.sock, id, 'sla.breached').map((e) => e.payload.kind)).toEqual(['nextResponse']);
    // No first-response alert (answered in time); the warning may be skipped when a slow tick finds it already breached.
    expect((await events(id)).filter((e) => e !== 'nextResponse:warning')).toEqual(['nextResponse:breach']);
  });

  it('pending time does not count against resolution', async () => {
    const to = await line('sla-pending', { sla: { firstResponseSeconds: 3600, resolutionSeconds: 7200 } });
    const pam = await agent('Pam', ['sla-pending']);
    const phone = randomPhone();
    const id = await takes(pam, to, 'Please send the volunteer form', phone);
    const before = (await row(id)).resolutionDueAt!;
    await app.api('POST', `/api/conversations/${id}/messages`, { body: 'Sent! Please fill it in.' }, pam.token);
    expect((await app.api('PATCH', `/api/conversations/${id}`, { status: 'pending' }, pam.token)).status).toBe(200);
    const pendingSince = (await row(id)).pendingSince!;
    await new Promise((r) => setTimeout(r, 1500));
    await app.sms(phone, 'Here it is', { To: to });
    const back = await eventually(async () => {
      const r = await row(id);
      return r.status === 'assigned' ? r : undefined;
    });
    const moved = back.resolutionDueAt!.getTime() - before.getTime();
    const paused = Date.now() - pendingSince.getTime();
    expect(moved).toBeGreaterThanOrEqual(1400);
    expect(moved).toBeLessThanOrEqual(paused);
    expect(back.resolutionWarnAt!.getTime() - before.getTime()).toBe(moved - 7200_000 * 0.2);
  });

  it('counts on the queue’s business hours: a request that arrives while closed is due from the next opening', async () => {
    const now = new Date();
    const tomorrow = (now.getUTCDay() + 1) % 7;
    const hours = { timezone: 'UTC', open: [{ day: tomorrow, from: '09:00', to: '17:00' }] };
    const to = await line('sla-hours', { businessHours: hours, sla: { firstResponseSeconds: 1800, resolutionSeconds: 3 * 3600 } });
    const hal = await agent('Hal', ['sla-hours']);
    const id = await takes(hal, to, 'Printer on floor 3 is down');
    const c = await row(id);
    const opening = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 9, 0));
    expect(c.firstResponseDueAt!.toISOString()).toBe(new Date(opening.getTime() + 1800_000).toISOString());
    expect(c.resolutionDueAt).toEqual(addBusinessSeconds(hours, c.createdAt, 3 * 3600));
    expect(c.resolutionDueAt!.toISOString()).toBe(new Date(opening.getTime() + 3 * 3600_000).toISOString());
  });

  it('admins set the policy; bad policies are refused and change nothing', async () => {
    await line('sla-admin', {});
    const ok = await app.api('PATCH', '/api/queues/sla-admin', {
      sla: { firstResponseSeconds: 900, nextResponseSeconds: 3600, resolutionSeconds: 86400 },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.queue.sla).toEqual({ firstResponseSeconds: 900, nextResponseSeconds: 3600, resolutionSeconds: 86400 });
    for (const bad of [
      { firstResponseSeconds: 900 },
      { firstResponseSeconds: -1, resolutionSeconds: 60 },
      { firstResponseSeconds: 60, resolutionSeconds: 60, x: 1 },
      'fast',
    ]) {
      expect((await app.api('PATCH', '/api/queues/sla-admin', { sla: bad })).status).toBe(400);
    }
    const agentOnly = await app.agent({ name: 'Abe', queues: ['sla-admin'], available: false });
    expect((await app.api('PATCH', '/api/queues/sla-admin', { sla: null }, agentOnly.token)).status).toBe(403);
    expect((await app.api('GET', '/api/queues/sla-admin')).body.queue.sla.firstResponseSeconds).toBe(900);
    expect((await app.api('PATCH', '/api/queues/sla-admin', { sla: null })).body.queue.sla).toBeNull();
  });

  it('timers survive a restart and alert once with several workers', async () => {
    const to = await line('sla-restart', { sla: { firstResponseSeconds: 10, resolutionSeconds: 11 } });
    const rio = await agent('Rio', ['sla-restart']);
    const ids = [await takes(rio, to, 'Laptop will not boot'), await takes(rio, to, 'VPN is down')];
    await app.restart();
    await app.extraProcess();
    await app.extraProcess();
    const watcher = await app.agent({ name: 'Wren', role: 'supervisor', queues: [], available: false });
    const sock = await app.socket(watcher.token);
    const kinds = (id: string) => alerts(sock, id, 'sla.breached').map((e) => e.payload.kind);
    await eventually(() => ids.every((id) => kinds(id).length === 2), { timeout: 20_000 });
    await new Promise((r) => setTimeout(r, 2000));
    for (const id of ids) {
      expect(kinds(id).sort()).toEqual(['firstResponse', 'resolution']);
      expect((await events(id)).filter((e) => e.endsWith(':breach'))).toEqual(['firstResponse:breach', 'resolution:breach']);
      expect((await row(id)).slaBreaches.map((b) => b.kind).sort()).toEqual(['firstResponse', 'resolution']);
    }
  });
});

describe('auto-replies', () => {
  const reply = {
    open: { en: 'Thanks! Your request is #{number}. We answer within a day.', es: '¡Gracias! Su solicitud es la #{number}.' },
    closed: {
      en: 'We are closed now; request #{number} will be answered when we open.',
      es: 'Estamos cerrados; responderemos a la solicitud #{number} al abrir.',
    },
  };
  const sentTo = (phone: string) => app.twilio.messages().filter((m) => m.To === phone);

  it('acknowledges a new conversation with its reference, in the contact’s language; only once per conversation', async () => {
    const to = await line('ack', { autoReply: reply });
    const phone = randomPhone();
    await app.sms(phone, 'Hello, I need a receipt', { To: to });
    const first = await eventually(() => sentTo(phone)[0]);
    const c = (await app.sb.deps.db.execute(
      sql`select c.id, c.number, c.contact_id from conversations c join contact_identities i on i.contact_id = c.contact_id where i.value = ${phone}`,
    )) as unknown as { id: string; number: number; contact_id: string }[];
    expect(first).toMatchObject({ From: to, Body: `Thanks! Your request is #${c[0].number}. We answer within a day.` });
    await app.sms(phone, 'For 2025 please', { To: to });
    await new Promise((r) => setTimeout(r, 800));
    expect(sentTo(phone)).toHaveLength(1);
    const shown = await detail(c[0].id);
    expect(shown.messages.find((m: any) => m.direction === 'outbound').metadata).toMatchObject({ system: 'auto-reply' });

    // The contact prefers Spanish: the next request is acknowledged in Spanish.
    await app.api('POST', `/api/conversations/${c[0].id}/resolve`, {});
    await app.sb.deps.db.update(contacts).set({ language: 'es' }).where(eq(contacts.id, c[0].contact_id));
    await app.sms(phone, 'Otra pregunta', { To: to });
    const second = await eventually(() => sentTo(phone)[1]);
    expect(second.Body).toMatch(/^¡Gracias! Su solicitud es la #\d+\.$/);
    expect(second.Body).not.toContain(`#${c[0].number}.`);
  });

  it('uses the after-hours text outside business hours; STOP, HELP and queues without one get none', async () => {
    const closed = await line('after-hours', { autoReply: reply, businessHours: { timezone: 'UTC', open: [] } });
    const phone = randomPhone();
    await app.sms(phone, 'Anyone there?', { To: closed });
    expect((await eventually(() => sentTo(phone)[0])).Body).toMatch(/^We are closed now; request #\d+ will be answered when we open\.$/);

    const quiet = await line('no-ack', {});
    const other = randomPhone();
    await app.sms(other, 'Hello', { To: quiet });
    const stopper = randomPhone();
    await app.sms(stopper, 'STOP', { To: closed });
    await app.sms(stopper, 'HELP', { To: closed });
    await new Promise((r) => setTimeout(r, 1000));
    expect(sentTo(other)).toEqual([]);
    expect(sentTo(stopper).every((m) => !/request #/.test(m.Body))).toBe(true);
  });

  it('refuses malformed texts', async () => {
    await line('ack-admin', {});
    for (const bad of [{ open: '' }, { open: { es: 'solo' } }, { open: 'x', other: 'y' }, 'hello']) {
      expect((await app.api('PATCH', '/api/queues/ack-admin', { autoReply: bad })).status).toBe(400);
    }
    expect((await app.api('PATCH', '/api/queues/ack-admin', { autoReply: { open: 'Got it: #{number}' } })).body.queue.autoReply).toEqual({
      open: 'Got it: #{number}',
    });
  });
});
