import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, randomPhone, startTestApp, type TestApp } from './helpers/harness.js';

/**
 * Deleting a queue (issue 11: "refused with a clear message when it would break something"):
 * an admin may delete a queue nothing depends on; while inboxes route into it, another queue
 * escalates into it, it has history, or it is built in, the answer is 409 saying which, so the
 * admin screen can show the server's own reason. Also the queue's `callbackOrder` rule, which the
 * admin form now sets.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('admin-queue-delete');
});
afterAll(async () => {
  await app?.stop();
});

const newQueue = async (key: string, extra: Record<string, unknown> = {}) =>
  expect((await app.api('POST', '/api/queues', { key, name: `Queue ${key}`, ...extra })).status).toBe(201);
const number = () => `+1500555${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;

describe('deleting a queue', () => {
  it('an unused queue goes, with its canned responses, and the audit log says who', async () => {
    await newQueue('del-unused');
    const canned = await app.api('POST', '/api/canned-responses', { title: 'Hi', body: 'Hello', queue: 'del-unused' });
    expect(canned.status).toBe(201);
    expect((await app.api('DELETE', '/api/queues/del-unused')).status).toBe(204);
    expect((await app.api('GET', '/api/queues/del-unused')).status).toBe(404);
    const left = (await app.api('GET', '/api/canned-responses')).body.cannedResponses;
    expect(left.some((c: any) => c.id === canned.body.cannedResponse.id)).toBe(false);
    const audit = await app.api('GET', '/api/audit?action=queue.delete&target=queue:del-unused');
    expect(audit.body.entries).toHaveLength(1);
    expect((await app.api('DELETE', '/api/queues/del-unused')).status).toBe(404);
  });

  it('a queue an inbox still routes into is refused with 409 naming the inbox, and goes once the inbox is moved', async () => {
    await newQueue('del-inbox');
    const address = number();
    const inbox = await app.api('POST', '/api/inboxes', { kind: 'phone', address, queue: 'del-inbox' });
    expect(inbox.status).toBe(201);
    const refused = await app.api('DELETE', '/api/queues/del-inbox');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toEqual({
      code: 'conflict',
      message: `queue del-inbox is still used by inbox ${address}: move it to another queue first`,
    });
    expect((await app.api('GET', '/api/queues/del-inbox')).status).toBe(200);
    expect((await app.api('PATCH', `/api/inboxes/${inbox.body.inbox.id}`, { queue: 'donor' })).status).toBe(200);
    expect((await app.api('DELETE', '/api/queues/del-inbox')).status).toBe(204);
  });

  it('a queue another queue escalates into is refused until that plan changes', async () => {
    await newQueue('del-target');
    await newQueue('del-source', { escalation: [{ afterSeconds: 60, addQueues: ['del-target'] }] });
    const refused = await app.api('DELETE', '/api/queues/del-target');
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe('queue del-target is an escalation target of del-source: change their escalation first');
    expect((await app.api('PATCH', '/api/queues/del-source', { escalation: [] })).status).toBe(200);
    expect((await app.api('DELETE', '/api/queues/del-target')).status).toBe(204);
  });

  it('a queue with conversations stays: reports keep them', async () => {
    await newQueue('del-history');
    const address = number();
    const inbox = await app.api('POST', '/api/inboxes', { kind: 'phone', address, queue: 'del-history' });
    expect((await app.sms(randomPhone(), 'Hello, a question about my gift', { To: address })).status).toBe(200);
    await eventually(async () => {
      const open = await app.api('GET', '/api/conversations');
      return open.body.conversations.some((c: any) => c.queue === 'del-history');
    });
    expect((await app.api('DELETE', `/api/inboxes/${inbox.body.inbox.id}`)).status).toBe(204);
    const refused = await app.api('DELETE', '/api/queues/del-history');
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe(
      'queue del-history has 1 conversation in its history, which reports keep: it cannot be deleted',
    );
  });

  it('built-in queues (channel fallbacks, crisis) are refused; only admins delete', async () => {
    for (const key of ['donor', 'volunteer', 'crisis']) {
      const r = await app.api('DELETE', `/api/queues/${key}`);
      expect(r.status).toBe(409);
      expect(r.body.error.message).toMatch(new RegExp(`^queue ${key} is built in`));
    }
    await newQueue('del-rights');
    const supervisor = await app.agent({ name: 'Sam Supervisor', role: 'supervisor', available: false });
    expect((await app.api('DELETE', '/api/queues/del-rights', undefined, supervisor.token)).status).toBe(403);
    expect((await app.api('GET', '/api/queues/del-rights')).status).toBe(200);
  });
});

describe('callbackOrder, as the admin form sets it', () => {
  it('takes afterLive, arrival or first and refuses anything else with the field named', async () => {
    await newQueue('cb-order');
    expect((await app.api('GET', '/api/queues/cb-order')).body.queue.callbackOrder).toBe('afterLive');
    const set = await app.api('PATCH', '/api/queues/cb-order', { callbackOrder: 'first' });
    expect(set.status).toBe(200);
    expect(set.body.queue.callbackOrder).toBe('first');
    const bad = await app.api('PATCH', '/api/queues/cb-order', { callbackOrder: 'whenever' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^callbackOrder: /);
    expect((await app.api('GET', '/api/queues/cb-order')).body.queue.callbackOrder).toBe('first');
  });
});
