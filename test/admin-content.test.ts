import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { bootstrap } from '../src/core/bootstrap.js';
import { fillCanned, matchesCannedQuery } from '../src/core/content/fill-canned.js';
import { connectDb, ensureDatabase, migrateDb } from '../src/db/client.js';
import { agents } from '../src/db/schema.js';
import { createLogger } from '../src/logger.js';
import { isolatedStores, randomPhone, startTestApp, testConfig, type TestApp } from './helpers/harness.js';

/**
 * Administration and shared content (contract: "Administration and shared content"): canned
 * responses and resolution codes stored on the server, resolve accepting only known codes,
 * deactivation handing conversations back, and passwords someone else chose.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('admin-content');
  for (const key of ['adm-gifts', 'adm-events']) {
    const r = await app.api('POST', '/api/queues', { key, name: key });
    expect(r.status).toBe(201);
  }
});
afterAll(async () => {
  await app?.stop();
});

/** An SMS conversation of `queue` offered to and accepted by `agent`. */
async function acceptedConversation(agent: { token: string }, queue: string) {
  const number = `+1500555${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
  await app.api('POST', '/api/inboxes', { kind: 'phone', address: number, queue });
  const sock = await app.socket(agent.token);
  const from = randomPhone();
  expect((await app.sms(from, 'Hello there', { To: number })).status).toBe(200);
  const offer = await sock.waitFor('reservation.created', (p) => p.contact.address === from);
  expect((await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, agent.token)).status).toBe(200);
  sock.close();
  return offer.conversationId as string;
}

describe('canned responses', () => {
  it('ship with the defaults the desk had built in, in English and Spanish', async () => {
    const { body } = await app.api('GET', '/api/canned-responses');
    const greetings = body.cannedResponses.filter((c: any) => c.title === 'Greeting');
    expect(greetings.map((c: any) => c.language).sort()).toEqual(['en', 'es']);
    expect(greetings.every((c: any) => c.queue === null && c.body.includes('{contact.first_name}'))).toBe(true);
  });

  it('agents see the global ones and those of their queues; only supervisors and admins write', async () => {
    const gifts = await app.api('POST', '/api/canned-responses', {
      title: 'Gift aid form',
      body: 'Here is the gift aid form, {contact.first_name}.',
      queue: 'adm-gifts',
    });
    expect(gifts.status).toBe(201);
    expect(gifts.body.cannedResponse).toMatchObject({ title: 'Gift aid form', queue: 'adm-gifts', language: null });
    const events = await app.api('POST', '/api/canned-responses', {
      title: 'Event tickets',
      body: 'Tickets are at the door.',
      queue: 'adm-events',
    });
    expect(events.status).toBe(201);

    const ana = await app.agent({ name: 'Ana Gifts', queues: ['adm-gifts'], available: false });
    const seen = (await app.api('GET', '/api/canned-responses', undefined, ana.token)).body.cannedResponses.map((c: any) => c.title);
    expect(seen).toContain('Gift aid form');
    expect(seen).toContain('Greeting');
    expect(seen).not.toContain('Event tickets');

    const refused = await app.api('POST', '/api/canned-responses', { title: 'Mine', body: 'x' }, ana.token);
    expect(refused.status).toBe(403);
    expect((await app.api('DELETE', `/api/canned-responses/${gifts.body.cannedResponse.id}`, undefined, ana.token)).status).toBe(403);

    const sup = await app.agent({ name: 'Sue Supervisor', role: 'supervisor', queues: [], available: false });
    const edited = await app.api(
      'PATCH',
      `/api/canned-responses/${events.body.cannedResponse.id}`,
      { body: 'Tickets are sold at the door.' },
      sup.token,
    );
    expect(edited.status).toBe(200);
    expect(edited.body.cannedResponse.body).toBe('Tickets are sold at the door.');
    const audit = await app.api('GET', `/api/audit?action=canned_response.update`);
    expect(
      audit.body.entries.some((e: any) => e.target === `canned_response:${events.body.cannedResponse.id}` && e.actorId === sup.id),
    ).toBe(true);
  });

  it('the `/` search, the queue and the language narrow the list', async () => {
    const found = await app.api('GET', '/api/canned-responses?q=don%20ch&language=es');
    expect(found.body.cannedResponses.map((c: any) => [c.title, c.language])).toEqual([['Donation changed', 'es']]);
    const forGifts = (await app.api('GET', '/api/canned-responses?queue=adm-gifts')).body.cannedResponses.map((c: any) => c.queue);
    expect(new Set(forGifts)).toEqual(new Set([null, 'adm-gifts']));
  });

  it('refuses bad input with the field named: unknown queue, empty body, unknown language', async () => {
    const unknownQueue = await app.api('POST', '/api/canned-responses', { title: 'X', body: 'y', queue: 'no-such-queue' });
    expect(unknownQueue.status).toBe(400);
    expect(unknownQueue.body.error.message).toMatch(/^queue:/);
    expect((await app.api('POST', '/api/canned-responses', { title: 'X', body: '  ' })).body.error.message).toMatch(/^body:/);
    expect((await app.api('POST', '/api/canned-responses', { title: 'X', body: 'y', language: 'fr' })).status).toBe(400);
    expect((await app.api('DELETE', '/api/canned-responses/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('variables are filled from the contact, the agent and the conversation; unknown ones stay visible', () => {
    const body = 'Hi {contact.first_name}, {agent.name} here about #{conversation.number}. {contact.last_name}';
    expect(fillCanned(body, { contactName: 'Maria Lopez', agentName: 'Dana Reyes', conversationNumber: 1042 })).toBe(
      'Hi Maria, Dana here about #1042. {contact.last_name}',
    );
    expect(fillCanned('Hi {contact.first_name}', { contactName: null }, { contact: 'amigo', agent: 'su agente' })).toBe('Hi amigo');
    expect(matchesCannedQuery({ title: 'Donation changed', body: '' }, 'don ch')).toBe(true);
    expect(matchesCannedQuery({ title: 'Donation changed', body: '' }, 'rec')).toBe(false);
  });
});

describe('dispositions', () => {
  it('resolve accepts only known codes: global ones and those of the conversation’s queue', async () => {
    const gifts = await app.api('POST', '/api/dispositions', { code: 'gift-aid-sent', label: 'Gift aid form sent', queue: 'adm-gifts' });
    expect(gifts.status).toBe(201);
    const events = await app.api('POST', '/api/dispositions', { code: 'ticket-sold', label: 'Ticket sold', queue: 'adm-events' });
    expect(events.status).toBe(201);
    const codes = (await app.api('GET', '/api/dispositions?queue=adm-gifts')).body.dispositions.map((d: any) => d.code);
    expect(codes).toContain('gift-aid-sent');
    expect(codes).toContain('info-provided');
    expect(codes).not.toContain('ticket-sold');

    const bo = await app.agent({ name: 'Bo Gifts', queues: ['adm-gifts'] });
    const id = await acceptedConversation(bo, 'adm-gifts');
    const unknown = await app.api('POST', `/api/conversations/${id}/resolve`, { disposition: 'made-up' }, bo.token);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/^disposition: unknown code "made-up"/);
    const otherQueue = await app.api('POST', `/api/conversations/${id}/resolve`, { disposition: 'ticket-sold' }, bo.token);
    expect(otherQueue.status).toBe(400);
    const ok = await app.api('POST', `/api/conversations/${id}/resolve`, { disposition: 'gift-aid-sent' }, bo.token);
    expect(ok.status).toBe(200);
    expect(ok.body.conversation).toMatchObject({ status: 'resolved', disposition: 'gift-aid-sent' });

    // In use now: deleting archives it (resolve refuses it from then on), renaming is refused.
    const renamed = await app.api('PATCH', `/api/dispositions/${gifts.body.disposition.id}`, { code: 'gift-aid' });
    expect(renamed.status).toBe(409);
    const relabelled = await app.api('PATCH', `/api/dispositions/${gifts.body.disposition.id}`, { label: 'Gift aid form emailed' });
    expect(relabelled.body.disposition.label).toBe('Gift aid form emailed');
    const archived = await app.api('DELETE', `/api/dispositions/${gifts.body.disposition.id}`);
    expect(archived.status).toBe(200);
    expect(archived.body.disposition).toMatchObject({ code: 'gift-aid-sent', archived: true });
    expect((await app.api('GET', '/api/dispositions?queue=adm-gifts')).body.dispositions.map((d: any) => d.code)).not.toContain(
      'gift-aid-sent',
    );
    expect((await app.api('GET', '/api/dispositions?archived=true')).body.dispositions.map((d: any) => d.code)).toContain('gift-aid-sent');
    const second = await acceptedConversation(bo, 'adm-gifts');
    expect((await app.api('POST', `/api/conversations/${second}/resolve`, { disposition: 'gift-aid-sent' }, bo.token)).status).toBe(400);
    // Unused: deleting deletes.
    expect((await app.api('DELETE', `/api/dispositions/${events.body.disposition.id}`)).status).toBe(204);
    expect((await app.api('GET', '/api/dispositions?archived=true')).body.dispositions.map((d: any) => d.code)).not.toContain(
      'ticket-sold',
    );
  });

  it('one code per scope; agents read but do not write', async () => {
    const dup = await app.api('POST', '/api/dispositions', { code: 'resolved', label: 'Again' });
    expect(dup.status).toBe(409);
    // The same code for one queue is a different scope.
    expect((await app.api('POST', '/api/dispositions', { code: 'resolved', label: 'Resolved (events)', queue: 'adm-events' })).status).toBe(
      201,
    );
    expect((await app.api('POST', '/api/dispositions', { code: 'Bad Code!', label: 'x' })).body.error.message).toMatch(/^code:/);
    const cy = await app.agent({ name: 'Cy Reader', queues: ['adm-gifts'], available: false });
    expect((await app.api('GET', '/api/dispositions', undefined, cy.token)).status).toBe(200);
    expect((await app.api('POST', '/api/dispositions', { code: 'mine', label: 'Mine' }, cy.token)).status).toBe(403);
  });
});

describe('deactivation', () => {
  it('hands the agent’s open conversations back to their queue, where another agent gets them', async () => {
    const dee = await app.agent({ name: 'Dee Leaving', queues: ['adm-events'] });
    const id = await acceptedConversation(dee, 'adm-events');
    const pendingId = await acceptedConversation(dee, 'adm-events');
    expect((await app.api('PATCH', `/api/conversations/${pendingId}`, { status: 'pending' }, dee.token)).status).toBe(200);

    expect((await app.api('PATCH', `/api/agents/${dee.id}`, { active: false })).status).toBe(200);
    for (const cid of [id, pendingId]) {
      const c = (await app.api('GET', `/api/conversations/${cid}`)).body.conversation;
      expect(c.assigneeId).toBeNull();
      expect(['waiting', 'offered']).toContain(c.status);
    }
    const eve = await app.agent({ name: 'Eve Staying', queues: ['adm-events'] });
    const sock = await app.socket(eve.token);
    await sock.waitFor('reservation.created', (p) => p.conversationId === id);
    const audit = await app.api('GET', `/api/audit?action=agent.deactivate&target=agent:${dee.id}`);
    expect(audit.body.entries[0]).toBeDefined();
  });
});

describe('a password someone else chose', () => {
  it('opens nothing but the password change until the agent picks its own', async () => {
    const email = `fin.${Date.now()}@example.org`;
    const created = await app.api('POST', '/api/agents', {
      email,
      name: 'Fin New',
      password: 'handed-over-1',
      mustChangePassword: true,
      queues: ['adm-gifts'],
    });
    expect(created.status).toBe(201);
    expect(created.body.agent.mustChangePassword).toBe(true);
    const token = await app.login(email, 'handed-over-1');
    const me = await app.api('GET', '/api/me', undefined, token);
    expect(me.body.passwordChangeRequired).toBe(true);
    const blocked = await app.api('GET', '/api/conversations', undefined, token);
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('password_change_required');
    expect((await app.api('PUT', '/api/me/status', { status: 'available' }, token)).status).toBe(403);

    const changed = await app.api('PUT', '/api/me/password', { current: 'handed-over-1', password: 'my-own-password-1' }, token);
    expect(changed.status).toBe(200);
    expect((await app.api('GET', '/api/conversations', undefined, changed.body.token)).status).toBe(200);
    expect((await app.api('GET', '/api/me', undefined, changed.body.token)).body.passwordChangeRequired).toBe(false);
  });

  it('the first admin, when its password was generated, must change it', async () => {
    const stores = await isolatedStores('admin-bootstrap');
    try {
      const config = testConfig(stores);
      await ensureDatabase(config.databaseUrl);
      await migrateDb(config.databaseUrl);
      const handle = connectDb(config.databaseUrl, { max: 2 });
      try {
        const out = await bootstrap({
          db: handle.db,
          log: createLogger('silent'),
          config: { ...config, admin: { email: 'first@example.org' } },
        });
        expect(out.adminCreated?.password).toBeTruthy();
        const [row] = await handle.db.select().from(agents).where(eq(agents.email, 'first@example.org'));
        expect(row.mustChangePassword).toBe(true);
      } finally {
        await handle.close();
      }
    } finally {
      await stores.drop();
    }
  });
});

describe('the agent’s language', () => {
  it('is stored on the agent: set by an admin or by the agent itself', async () => {
    const gus = await app.agent({ name: 'Gus Idiomas', queues: ['adm-gifts'], available: false });
    expect((await app.api('GET', '/api/me', undefined, gus.token)).body.agent.language).toBe('en');
    expect((await app.api('PATCH', '/api/me', { language: 'es' }, gus.token)).body.agent.language).toBe('es');
    expect((await app.api('PATCH', '/api/me', { language: 'fr' }, gus.token)).status).toBe(400);
    expect((await app.api('PATCH', `/api/agents/${gus.id}`, { language: 'en' })).body.agent.language).toBe('en');
  });
});
