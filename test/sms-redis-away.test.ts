import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENQUEUE_WAIT_MS } from '../src/jobs/queues.js';
import { startTcpProxy } from './fault/cluster.js';
import { randomPhone, startTestApp, TEST_REDIS_URL, type TestApp } from './helpers/harness.js';

/**
 * A stored text's routing trigger is not awaited by the webhook (ingest-inbound.ts): with Redis
 * unreachable the webhook answers at once instead of after ENQUEUE_WAIT_MS, and the contact is
 * offered once Redis is back. Redis is reached through a proxy that this file cuts: the shared
 * Redis itself is never touched.
 */
let app: TestApp;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
beforeAll(async () => {
  proxy = await startTcpProxy(() => [Number(new URL(TEST_REDIS_URL).port || 6379)]);
  app = await startTestApp('sms-redis-away', { REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
}, 60_000);
afterAll(async () => {
  await proxy?.restore().catch(() => {});
  await app?.stop();
  await proxy?.close();
});

describe('Redis unreachable while a text arrives', () => {
  it('the webhook answers without waiting on the routing trigger; the text is offered once Redis is back', async () => {
    const agent = await app.agent({ name: 'Ria', queues: ['donor'], capacity: { sms: 5 } });
    const sock = await app.socket(agent.token);
    const from = randomPhone();

    await proxy.cut();
    const started = Date.now();
    const r = await app.sms(from, 'Is my donation receipt on its way?');
    const took = Date.now() - started;
    expect(r.status).toBe(200);
    // Waiting on the trigger took at least ENQUEUE_WAIT_MS (the enqueue's own time limit).
    expect(took).toBeLessThan(ENQUEUE_WAIT_MS);

    await proxy.restore();
    const offer = await sock.waitFor('reservation.created', (p) => p.contact.address === from, 20_000);
    expect(offer.conversationId).toBeTruthy();
  }, 60_000);
});
