import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAgentSocket, eventually, randomPhone, type AgentSocket } from '../helpers/harness.js';
import { api, makeContacts, postSms, startScenario, startSwitchboardProcess, type Scenario } from './cluster.js';

let sc: Scenario;
let sock: AgentSocket | undefined;
beforeAll(async () => {
  // A claimed send older than 3 s whose sender is gone is reported, not left `sending`.
  sc = await startScenario('fault-send', { webs: 1, workers: 1, env: { SEND_UNKNOWN_AFTER_SECONDS: '3' } });
}, 90_000);
afterAll(async () => {
  sock?.close();
  await sc?.stop();
});

describe('a worker is killed between claiming a reply ("sending") and the vendor answering', () => {
  it('the reply ends failed as "delivery unknown", pushed to the agent; Retry then sends it exactly once', async () => {
    const web = sc.webs[0];
    const email = `kim.${Date.now()}@example.org`;
    const created = await api(
      web.url,
      'POST',
      '/api/agents',
      { email, name: 'Kim', password: 'agent-password-1', queues: ['donor'] },
      sc.adminToken,
    );
    expect(created.status).toBe(201);
    const token = (await api(web.url, 'POST', '/api/auth/login', { email, password: 'agent-password-1' })).body.token as string;
    await api(web.url, 'PUT', '/api/me/status', { status: 'available' }, token);
    sock = await connectAgentSocket(web.url, token);

    const [donor] = makeContacts(1);
    donor.phone = randomPhone();
    expect(await postSms(web.url, donor)).toBe(200);
    const offer = await sock.waitFor('reservation.created', () => true, 20_000);
    expect((await api(web.url, 'POST', `/api/reservations/${offer.reservationId}/accept`, undefined, token)).status).toBe(200);

    // Twilio takes the request in and the worker dies before it hears back.
    sc.fake.holdMessages();
    const reply = await api(web.url, 'POST', `/api/conversations/${offer.conversationId}/messages`, { body: 'in flight' }, token);
    expect(reply.status).toBe(201);
    await eventually(() => sc.fake.held().some((m) => m.Body === 'in flight'), { timeout: 20_000 });
    const [worker] = sc.workers;
    worker.kill('SIGKILL');
    await worker.exited;
    sc.fake.release();

    const sql = postgres(sc.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql<{ status: string }[]>`select status from messages where id = ${reply.body.message.id}`;
      expect(row.status).toBe('sending');

      // A new worker's reconciler finds it: failed, visibly, with why — and nothing sent twice.
      sc.workers.push(await startSwitchboardProcess('worker-2', 'worker', sc.env));
      const failed = await sock.waitFor(
        'message.updated',
        (p) => p.message.id === reply.body.message.id && p.message.status === 'failed',
        30_000,
      );
      expect(failed.message.error).toMatch(/delivery unknown/);
      expect(sc.sentBodies().filter((b) => b === 'in flight')).toHaveLength(0);

      // The agent checks and retries: sent once (the killed job, re-run after its lock expires, finds nothing to do).
      const retried = await api(web.url, 'POST', `/api/messages/${reply.body.message.id}/retry`, undefined, token);
      expect(retried.status).toBe(202);
      await eventually(
        async () => {
          const [r] = await sql<{ status: string }[]>`select status from messages where id = ${reply.body.message.id}`;
          return r.status === 'queued';
        },
        { timeout: 60_000, interval: 500 },
      );
      await new Promise((r) => setTimeout(r, 2_000));
      expect(sc.sentBodies().filter((b) => b === 'in flight')).toHaveLength(1);
    } finally {
      await sql.end({ timeout: 5 });
    }
  }, 150_000);
});
