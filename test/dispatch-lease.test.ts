import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { DISPATCH_LEASE_MS, dispatchLease } from '../src/jobs/dispatch-lease.js';
import { QUEUE_NAMES } from '../src/jobs/queues.js';
import { createLogger } from '../src/logger.js';
import { eventually, isolatedStores, TEST_REDIS_URL } from './helpers/harness.js';

/**
 * One worker process at a time takes dispatch jobs (src/jobs/dispatch-lease.ts): the first to ask
 * leads, the others wait, and one of them takes over once a holder that died (here: lost its
 * Redis connection, so it can neither renew nor let go) has let its lease lapse.
 */
const log = createLogger('silent');
const closers: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const c of closers.reverse()) await c();
});

async function processes(n: number) {
  const { redisPrefix } = await isolatedStores('dispatch-lease');
  const admin = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUE_NAMES.dispatch, { connection: admin, prefix: redisPrefix });
  closers.push(
    () => queue.close(),
    () => admin.disconnect(),
  );
  return Array.from({ length: n }, () => {
    // Each "process" has its own connection, as each worker process does.
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    const events: string[] = [];
    const lease = dispatchLease(queue, redis, log, {
      lead: () => void events.push('lead'),
      follow: async () => void events.push('follow'),
    });
    closers.push(
      () => lease.stop(),
      () => redis.disconnect(),
    );
    return { redis, events, lease };
  });
}

describe('the dispatch lease', () => {
  it('is held by one process at a time, and passes on when its holder dies', async () => {
    const [a, b] = await processes(2);
    await a.lease.start();
    await b.lease.start();
    expect(a.lease.leading).toBe(true);
    expect(b.lease.leading).toBe(false);
    // Renewed: still the first one's after several lease lengths.
    await new Promise((r) => setTimeout(r, 2 * DISPATCH_LEASE_MS));
    expect([a.lease.leading, b.lease.leading]).toEqual([true, false]);
    expect(b.events).toEqual([]);

    // The holder "dies": it can no longer reach Redis to renew or let go.
    const died = Date.now();
    a.redis.disconnect();
    await eventually(async () => (b.lease.leading ? true : undefined), { timeout: 5_000 });
    expect(Date.now() - died).toBeLessThan(DISPATCH_LEASE_MS + 1_500);
    expect(b.events).toEqual(['lead']);
    // The old holder stops taking drains as soon as it notices it no longer holds the lease.
    await eventually(async () => (a.lease.leading ? undefined : true), { timeout: 5_000 });
    expect(a.events).toEqual(['lead', 'follow']);
  });

  it('is let go at a clean stop, so another process takes over at its next ask', async () => {
    const [a, b] = await processes(2);
    await a.lease.start();
    await b.lease.start();
    await a.lease.stop();
    expect(a.events).toEqual(['lead', 'follow']);
    await eventually(async () => (b.lease.leading ? true : undefined), { timeout: 2_000 });
  });
});
