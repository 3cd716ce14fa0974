import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNothingLostOrDoubled, sleep, startLoad, startScenario, waitAllResolved, type Scenario } from './cluster.js';

let sc: Scenario;
beforeAll(async () => {
  // Its own redis-server: the shared one on 6379 is never restarted.
  sc = await startScenario('fault-redis', { webs: 1, workers: 1, privateRedis: true });
}, 90_000);
afterAll(async () => {
  await sc?.stop();
});

describe('Redis restarts (empty: no persistence) under load', () => {
  it('workers, sockets and publishers recover by themselves; nothing lost or doubled', async () => {
    const web = sc.webs[0];
    const { contacts, sending, offers } = await startLoad(sc, { agentsUrl: web.url, webhookUrl: web.url, gapMs: 40 });

    await sc.redis!.down();
    const downAt = Date.now();
    await sleep(2_500);
    await sc.redis!.up();
    const offersBeforeUp = offers();

    await sending;
    expect(contacts.every((c) => c.statuses.at(-1) === 200)).toBe(true);
    // Webhooks kept answering while Redis was away: the contact is in Postgres, the reconciler re-drives routing.
    const slowest = Math.max(...contacts.filter((c) => (c.sentAt ?? 0) >= downAt - 1000).map((c) => c.statuses.length));
    expect(slowest).toBeLessThanOrEqual(3);

    await waitAllResolved(sc.databaseUrl, contacts, 60_000);
    expect(offers()).toBeGreaterThan(offersBeforeUp);
    // No process was restarted: the same pids, still running.
    for (const p of [...sc.webs, ...sc.workers]) expect(p.child.exitCode).toBeNull();

    // The reconciler's schedule, wiped with Redis, was declared again by the worker.
    const conn = new Redis(sc.redis!.url, { maxRetriesPerRequest: 1 });
    const q = new Queue('maintenance', { connection: conn, prefix: sc.stores.redisPrefix });
    const schedulers = await q.getJobSchedulers();
    expect(schedulers.map((s) => s.key ?? s.id)).toContain('reconcile');
    await q.close();
    conn.disconnect();

    const inv = await expectNothingLostOrDoubled(sc, contacts);
    // Refusals and failures listed, so a run that misses a reply says why.
    expect({ ...inv, refusedReplies: sc.bots.flatMap((b) => b.refusedReplies) }).toMatchObject({
      stuckSends: {},
      failedSends: {},
      refusedReplies: [],
      repliesSent: 100,
    });
  }, 170_000);
});
