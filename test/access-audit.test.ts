import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '../src/core/audit/actions.js';
import { auditCsv } from '../src/core/audit/list-audit.js';
import { ADMIN, randomPhone, startTestApp, type TestApp } from './helpers/harness.js';

/** The audit log: who did what, written with the change, read by admins through GET /api/audit. */
let app: TestApp;
let adminId: string;
beforeAll(async () => {
  app = await startTestApp('access-audit');
  adminId = (await app.api('GET', '/api/me')).body.agent.id;
});
afterAll(async () => {
  await app?.stop();
});

const entries = async (query: string) => {
  const r = await app.api('GET', `/api/audit?${query}`);
  expect(r.status).toBe(200);
  return r.body.entries as any[];
};

describe('audit entries', () => {
  it('sign-ins and failed sign-ins, with the client address', async () => {
    expect((await app.api('POST', '/api/auth/login', { email: ADMIN.email, password: 'not-it' }, null)).status).toBe(401);
    await app.login(ADMIN.email, ADMIN.password);
    const [failed] = await entries(`action=auth.login_failed&target=agent:${adminId}`);
    expect(failed).toMatchObject({ actorId: null, ip: '127.0.0.1', details: { email: ADMIN.email, reason: 'password' } });
    const logins = await entries(`action=auth.login&actor=${adminId}`);
    expect(logins.length).toBeGreaterThanOrEqual(2); // the harness's and this one
    expect(logins[0]).toMatchObject({ actorEmail: ADMIN.email, target: `agent:${adminId}`, details: { via: 'password', mfa: null } });
    expect(JSON.stringify(await entries('action=auth.*'))).not.toContain('not-it');
  });

  it('agent created and changed, with before and after', async () => {
    const created = await app.api('POST', '/api/agents', {
      email: 'audited@example.org',
      name: 'Audited',
      password: 'agent-password-1',
      role: 'agent',
      queues: ['donor'],
    });
    const id = created.body.agent.id;
    await app.api('PATCH', `/api/agents/${id}`, { role: 'supervisor', queues: ['donor', 'crisis'] });
    const [update] = await entries(`action=agent.update&target=agent:${id}`);
    expect(update.actorId).toBe(adminId);
    expect(update.details.before).toMatchObject({ role: 'agent', queues: [{ queue: 'donor', level: 3 }] });
    expect(update.details.after).toMatchObject({ role: 'supervisor', queues: [{ queue: 'crisis' }, { queue: 'donor' }] });
    const [create] = await entries(`action=agent.create&target=agent:${id}`);
    expect(create.details.after).toMatchObject({ email: 'audited@example.org' });
    expect(JSON.stringify(create)).not.toContain('agent-password-1');
  });

  it('queue created and changed, with before and after', async () => {
    await app.api('POST', '/api/queues', { key: 'press', name: 'Press' });
    await app.api('PATCH', '/api/queues/press', { priority: 40, slaSeconds: 30 });
    const [update] = await entries('action=queue.update&target=queue:press');
    expect(update.details.before).toMatchObject({ priority: 0, slaSeconds: 60 });
    expect(update.details.after).toMatchObject({ priority: 40, slaSeconds: 30 });
    expect(await entries('action=queue.create&target=queue:press')).toHaveLength(1);
  });

  it('inbox added, re-routed and removed', async () => {
    const phone = randomPhone();
    const created = await app.api('POST', '/api/inboxes', { kind: 'phone', address: phone, queue: 'donor' });
    const id = created.body.inbox.id;
    await app.api('PATCH', `/api/inboxes/${id}`, { queue: 'partner' });
    await app.api('DELETE', `/api/inboxes/${id}`);
    const list = await entries(`action=inbox.*&target=inbox:${id}`);
    expect(list.map((e) => e.action)).toEqual(['inbox.delete', 'inbox.update', 'inbox.create']);
    expect(list[1].details).toMatchObject({ before: { queue: 'donor' }, after: { queue: 'partner' } });
    // A refused change leaves no entry.
    await app.api('POST', '/api/inboxes', { kind: 'phone', address: 'not-a-number', queue: 'donor' });
    expect(await entries('action=inbox.create')).toHaveLength(1);
  });

  it('a supervisor opening a conversation outside their queues, once per window; their own queues are not logged', async () => {
    const sup = await app.agent({ name: 'Sue Supervisor', role: 'supervisor', queues: ['volunteer'], available: false });
    const phone = randomPhone();
    await app.sms(phone, 'about my donation');
    const conv = (await app.api('GET', '/api/conversations?status=all&queue=donor')).body.conversations[0];
    expect((await app.api('GET', `/api/conversations/${conv.id}`, undefined, sup.token)).status).toBe(200);
    await app.api('GET', `/api/conversations/${conv.id}`, undefined, sup.token);
    const views = await entries(`action=conversation.view&actor=${sup.id}`);
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ target: `conversation:${conv.id}`, details: { queue: 'donor', number: conv.number } });

    const own = await app.agent({ name: 'Ola Own', role: 'supervisor', queues: ['donor'], available: false });
    await app.api('GET', `/api/conversations/${conv.id}`, undefined, own.token);
    expect(await entries(`action=conversation.view&actor=${own.id}`)).toHaveLength(0);
  });

  it('every action written is one of the documented names', async () => {
    const all = await entries('limit=500');
    expect(all.length).toBeGreaterThan(5);
    for (const e of all) expect(Object.keys(AUDIT_ACTIONS)).toContain(e.action);
  });
});

describe('GET /api/audit', () => {
  it('filters by actor, action family, target and time; pages with a cursor', async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const page1 = await app.api('GET', `/api/audit?actor=${adminId}&limit=2&from=${from}`);
    expect(page1.body.entries).toHaveLength(2);
    expect(page1.body.nextCursor).toBeTruthy();
    const page2 = await app.api('GET', `/api/audit?actor=${adminId}&limit=2&from=${from}&cursor=${page1.body.nextCursor}`);
    expect(page2.body.entries[0].id).toBeLessThan(page1.body.entries[1].id);
    expect((await entries('to=2000-01-01')).length).toBe(0);
    const both = await entries('action=queue.create,inbox.create');
    expect(new Set(both.map((e) => e.action))).toEqual(new Set(['queue.create', 'inbox.create']));
    expect((await app.api('GET', '/api/audit?from=yesterday')).status).toBe(400);
    expect((await app.api('GET', '/api/audit?actor=me')).status).toBe(400);
  });

  it('CSV export: same columns, formula cells defused, and the export itself is audited', async () => {
    await app.api('POST', '/api/auth/login', { email: 'someone@evil.example', password: 'x' }, null);
    const res = await fetch(`${app.url}/api/audit?format=csv&action=auth.login_failed`, {
      headers: { authorization: `Bearer ${app.adminToken}` },
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="switchboard-audit-/);
    const text = await res.text();
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toBe('at,actorId,actorEmail,action,target,ip,details');
    expect(lines[1]).toMatch(
      /^\d{4}-.*,,,auth\.login_failed,email:someone@evil\.example,127\.0\.0\.1,"\{""email"":""someone@evil\.example""/,
    );
    // A cell a spreadsheet would run as a formula is defused.
    const csv = auditCsv([
      { id: 1, at: 'x', actorId: null, actorEmail: null, action: 'a', target: '=HYPERLINK("http://evil")', ip: null, details: {} },
    ]);
    expect(csv).toContain(`,"'=HYPERLINK(""http://evil"")",`);
    expect(await entries('action=audit.export')).toHaveLength(1);
  });

  it('admins only', async () => {
    const sup = await app.agent({ name: 'Sid Supervisor', role: 'supervisor', available: false });
    expect((await app.api('GET', '/api/audit', undefined, sup.token)).status).toBe(403);
    expect((await app.api('GET', '/api/audit', undefined, null)).status).toBe(401);
    const actions = await app.api('GET', '/api/audit/actions');
    expect(actions.body.actions.find((a: any) => a.action === 'auth.login_locked')).toBeTruthy();
  });

  it('the table is append-only', async () => {
    const sql = postgres(app.stores.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      await expect(sql`update audit_log set action = 'x'`).rejects.toThrow(/append-only/);
      await expect(sql`delete from audit_log`).rejects.toThrow(/append-only/);
      await expect(sql`truncate audit_log`).rejects.toThrow(/append-only/);
    } finally {
      await sql.end();
    }
  });
});
