import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agents, auditLog, conversations } from '../src/db/schema.js';
import { startSmtpSink, type SmtpSink } from './fakes/smtp-sink.js';
import { freePort, randomPhone, startTestApp, type AgentSocket, type TestApp } from './helpers/harness.js';

let app: TestApp;
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
  app = await startTestApp('requests-contacts', {
    INBOUND_SMTP_PORT: String(await freePort()),
    INBOUND_EMAIL_DOMAIN: 'help.example.org',
    SMTP_URL: sink.url,
    MAIL_FROM: 'Helpdesk <desk@help.example.org>',
  });
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await sink?.close();
});

type Who = { id: string; token: string; sock: AgentSocket };
let lines = 0;
/** A queue of its own with a number that feeds it. */
async function line(key: string): Promise<string> {
  const number = `+1500555${String(500 + lines++).padStart(4, '0')}`;
  expect((await app.api('POST', '/api/queues', { key, name: key })).status).toBe(201);
  expect((await app.api('POST', '/api/inboxes', { kind: 'phone', address: number, queue: key })).status).toBe(201);
  return number;
}
async function agent(name: string, queues: string[], role = 'agent'): Promise<Who> {
  const a = await app.agent({ name, queues, role });
  return { ...a, sock: await app.socket(a.token) };
}
/** A contact texts `to`; `who` takes the conversation. */
async function takes(
  who: Who,
  to: string,
  body: string,
  phone = randomPhone(),
): Promise<{ id: string; contactId: string; number: number }> {
  await app.sms(phone, body, { To: to });
  const offer = await who.sock.waitFor('reservation.created', (p) => p.contact.address === phone);
  expect((await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, who.token)).status).toBe(200);
  const [c] = await app.sb.deps.db.select().from(conversations).where(eq(conversations.id, offer.conversationId));
  return { id: c.id, contactId: c.contactId, number: c.number };
}

describe('contacts', () => {
  it('lists and finds contacts by name, phone or email fragment; edits them; agents see only their queues’ contacts', async () => {
    const to = await line('gifts');
    const gil = await agent('Gil', ['gifts']);
    const outsider = await app.agent({ name: 'Olga', queues: ['it'], available: false });
    const phone = '+15305550142';
    const c = await takes(gil, to, 'About my monthly gift', phone);

    const edited = await app.api(
      'PATCH',
      `/api/contacts/${c.contactId}`,
      { name: 'Marisol Ortega', language: 'es', notes: 'Prefers texts', attributes: { 'donor id': 'D-1042', tier: 'gold' } },
      gil.token,
    );
    expect(edited.status).toBe(200);
    expect(edited.body.contact).toMatchObject({
      name: 'Marisol Ortega',
      language: 'es',
      notes: 'Prefers texts',
      attributes: { 'donor id': 'D-1042', tier: 'gold' },
    });
    expect(edited.body.identities).toEqual([{ id: expect.any(String), kind: 'phone', value: phone, optedOut: false }]);
    expect(edited.body.conversations.map((x: any) => x.id)).toEqual([c.id]);

    // An email address joins the same contact (outbound to the contact): history across channels.
    const mail = await app.api(
      'POST',
      '/api/conversations',
      { channel: 'email', to: 'Marisol@Example.org', queue: 'gifts', body: 'Your receipt', contactId: c.contactId },
      gil.token,
    );
    expect(mail.status).toBe(201);

    for (const q of ['marisol', 'ORTEGA', '555014', '(530) 555-0142', 'example.org']) {
      const found = await app.api('GET', `/api/contacts?q=${encodeURIComponent(q)}`, undefined, gil.token);
      expect([q, found.body.contacts.map((x: any) => x.id)]).toEqual([q, [c.contactId]]);
    }
    const detail = await app.api('GET', `/api/contacts/${c.contactId}`, undefined, gil.token);
    expect(detail.body.identities.map((i: any) => i.value).sort()).toEqual([phone, 'marisol@example.org']);
    expect(detail.body.conversations.map((x: any) => x.channel)).toEqual(['email', 'sms']);

    // Someone from another team neither finds nor opens nor edits it.
    expect((await app.api('GET', '/api/contacts?q=marisol', undefined, outsider.token)).body.contacts).toEqual([]);
    expect((await app.api('GET', `/api/contacts/${c.contactId}`, undefined, outsider.token)).status).toBe(404);
    expect((await app.api('PATCH', `/api/contacts/${c.contactId}`, { name: 'x' }, outsider.token)).status).toBe(404);

    // Bad edits change nothing.
    for (const bad of [{}, { language: 'fr' }, { attributes: { '': 'x' } }, { attributes: 'x' }, { email: 'a@b.c' }]) {
      expect([bad, (await app.api('PATCH', `/api/contacts/${c.contactId}`, bad, gil.token)).status]).toEqual([bad, 400]);
    }
    expect((await app.api('GET', `/api/contacts/${c.contactId}`, undefined, gil.token)).body.contact.name).toBe('Marisol Ortega');
  });

  it('merges two contacts: identities and conversations move, notes and attributes combine, the other is gone', async () => {
    const to = await line('members');
    const mo = await agent('Mo', ['members']);
    const a = await takes(mo, to, 'Membership card');
    const b = await takes(mo, to, 'It is me again from my work phone');
    await app.api('PATCH', `/api/contacts/${a.contactId}`, { name: 'Dana Lee', notes: 'Member since 2019' }, mo.token);
    await app.api('PATCH', `/api/contacts/${b.contactId}`, { notes: 'Work phone', attributes: { role: 'board' } }, mo.token);

    // Both hold an open SMS thread: merging would give one contact two open SMS conversations.
    const clash = await app.api('POST', `/api/contacts/${a.contactId}/merge`, { contactId: b.contactId }, mo.token);
    expect(clash.status).toBe(409);
    expect(clash.body.error.message).toContain(`#${a.number}`);
    await app.api('POST', `/api/conversations/${b.id}/resolve`, {}, mo.token);

    const merged = await app.api('POST', `/api/contacts/${a.contactId}/merge`, { contactId: b.contactId }, mo.token);
    expect(merged.status).toBe(200);
    expect(merged.body.contact).toMatchObject({
      name: 'Dana Lee',
      notes: 'Member since 2019\n\nWork phone',
      attributes: { role: 'board' },
    });
    expect(merged.body.identities).toHaveLength(2);
    expect(merged.body.conversations.map((x: any) => x.id).sort()).toEqual([a.id, b.id].sort());
    expect((await app.api('GET', `/api/contacts/${b.contactId}`, undefined, mo.token)).status).toBe(404);
    const audit = await app.sb.deps.db.select().from(auditLog).where(eq(auditLog.action, 'contact.merge'));
    expect(audit).toMatchObject([{ actorId: mo.id, target: `contact:${a.contactId}`, details: { merged: b.contactId, conversations: 1 } }]);

    for (const bad of [{ contactId: a.contactId }, { contactId: 'nope' }, {}]) {
      expect((await app.api('POST', `/api/contacts/${a.contactId}/merge`, bad, mo.token)).status).toBe(400);
    }
    expect((await app.api('POST', `/api/contacts/${a.contactId}/merge`, { contactId: b.contactId }, mo.token)).status).toBe(404);
  });
});

describe('search', () => {
  it('finds conversations by message words (English and Spanish stems), #number, name and phone fragment, only where the caller may look', async () => {
    const to = await line('donations');
    const dee = await agent('Dee', ['donations']);
    const outsider = await app.agent({ name: 'Ned', queues: ['it'], available: false });
    const en = await takes(dee, to, 'I donated twice by mistake, please refund the duplicate charge');
    const es = await takes(dee, to, 'No he recibido mis recibos de las donaciones');
    const named = await takes(dee, to, 'hello', '+15309998877');
    await app.api('PATCH', `/api/contacts/${named.contactId}`, { name: 'Bartholomew Quince' }, dee.token);
    await app.api('POST', `/api/conversations/${en.id}/resolve`, {}, dee.token);

    const q = async (text: string, token = dee.token) => {
      const r = await app.api('GET', `/api/search?q=${encodeURIComponent(text)}`, undefined, token);
      expect(r.status).toBe(200);
      return r.body.results as any[];
    };
    // Stemming: "refunds" finds "refund", "charges" finds "charge"; resolved conversations too.
    const refunds = await q('refunds charges');
    expect(refunds.map((r) => [r.conversationId, r.matched, r.status])).toEqual([[en.id, 'message', 'resolved']]);
    expect(refunds[0].snippet).toContain('«refund»');
    expect(refunds[0]).toMatchObject({ number: en.number, channel: 'sms', queue: 'donations', contact: { id: en.contactId } });
    expect((await q('recibo')).map((r) => r.conversationId)).toEqual([es.id]);
    expect((await q(`#${es.number}`)).map((r) => [r.conversationId, r.matched])).toEqual([[es.id, 'number']]);
    expect((await q('quince')).map((r) => [r.conversationId, r.matched])).toEqual([[named.id, 'contact']]);
    expect((await q('999887')).map((r) => r.conversationId)).toEqual([named.id]);
    expect(await q('zebra crossing')).toEqual([]);

    // Nothing leaks to an agent of another queue.
    for (const text of ['refund', `#${es.number}`, 'quince', '999887']) expect(await q(text, outsider.token)).toEqual([]);
    expect((await app.api('GET', '/api/search?q=', undefined, dee.token)).status).toBe(400);
    // Operators in the query text are words, never errors.
    expect(await q('refund & | ! ( ) : * "')).toHaveLength(1);
  });
});

describe('a pending conversation whose agent was deactivated', () => {
  it('goes back to its queue and is offered to another agent; the contact’s answer joins it', async () => {
    const to = await line('grants');
    const pia = await agent('Pia', ['grants']);
    const c = await takes(pia, to, 'Grant application question', '+15305551111');
    expect((await app.api('PATCH', `/api/conversations/${c.id}`, { status: 'pending' }, pia.token)).status).toBe(200);
    const raj = await app.agent({ name: 'Raj', queues: ['grants'], available: false });
    const rajSock = await app.socket(raj.token);
    expect((await app.api('PATCH', `/api/agents/${pia.id}`, { active: false })).status).toBe(200);
    await app.api('PUT', '/api/me/status', { status: 'available' }, raj.token);
    const offer = await rajSock.waitFor('reservation.created', (p) => p.conversationId === c.id);
    expect((await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, raj.token)).status).toBe(200);
    await app.sms('+15305551111', 'Here is the document you asked for', { To: to });
    await rajSock.waitFor('message.created', (p) => p.conversationId === c.id && p.message.body === 'Here is the document you asked for');
  });

  it('is routed again when the contact answers, if its agent became inactive while it was pending', async () => {
    const to = await line('bursaries');
    const ola = await agent('Ola', ['bursaries']);
    const c = await takes(ola, to, 'Bursary question', '+15305552222');
    expect((await app.api('PATCH', `/api/conversations/${c.id}`, { status: 'pending' }, ola.token)).status).toBe(200);
    // The flag alone (as a deactivation racing the answer would leave it): the rule is checked when it comes back.
    await app.sb.deps.db.update(agents).set({ active: false }).where(eq(agents.id, ola.id));
    const kim = await app.agent({ name: 'Kim', queues: ['bursaries'], available: false });
    const kimSock = await app.socket(kim.token);
    await app.api('PUT', '/api/me/status', { status: 'available' }, kim.token);
    await app.sms('+15305552222', 'Here is my transcript', { To: to });
    const offer = await kimSock.waitFor('reservation.created', (p) => p.conversationId === c.id);
    expect(offer.queue).toBe('bursaries');
    const [row] = await app.sb.deps.db.select().from(conversations).where(eq(conversations.id, c.id));
    expect(row.assigneeId).not.toBe(ola.id);
  });
});
