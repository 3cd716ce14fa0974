import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { dispatchEpochs } from '../src/jobs/dispatch-epochs.js';
import { createJobScheduler, createQueues, JOB_OPTIONS, QUEUE_NAMES } from '../src/jobs/queues.js';
import { startTcpProxy } from './fault/cluster.js';
import { eventually, isolatedStores, TEST_REDIS_URL } from './helpers/harness.js';

/**
 * Routing triggers coalesce (src/jobs/dispatch-epochs.ts): a trigger queues a dispatch job only
 * when none is waiting to start, a job lets later triggers queue their own as it starts, and a
 * drain covers every trigger numbered up to what it read as it started, never one handed out later.
 */
const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
const queues: Queue[] = [];
afterAll(async () => {
  for (const q of queues) {
    await q.obliterate({ force: true }).catch(() => {});
    await q.close();
  }
  connection.disconnect();
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freshEpochs(ttlMs?: number) {
  const { redisPrefix } = await isolatedStores('coalescing');
  const queue = new Queue(QUEUE_NAMES.dispatch, { connection, prefix: redisPrefix });
  queues.push(queue);
  return { queue, redisPrefix, epochs: dispatchEpochs(queue, { queuedTtlMs: ttlMs }) };
}

describe('routing trigger numbers', () => {
  it('a burst queues one job while it waits; a job that starts lets later triggers queue their own', async () => {
    const { epochs } = await freshEpochs();
    const burst: { epoch: number; enqueue: boolean }[] = [];
    for (let i = 0; i < 5; i++) burst.push(await epochs.trigger());
    expect(burst.map((t) => t.enqueue)).toEqual([true, false, false, false, false]);
    expect(burst.map((t) => t.epoch)).toEqual([1, 2, 3, 4, 5].map((n) => burst[0].epoch + n - 1));

    // The queued job starts: it covers the whole burst.
    expect(await epochs.begin()).toBe(burst[4].epoch);
    // A text arriving while it routes queues a job of its own, once.
    const during = await epochs.trigger();
    expect(during.enqueue).toBe(true);
    expect((await epochs.trigger()).enqueue).toBe(false);
    await epochs.markDrained(burst[4].epoch); // the first drain's last round found nothing

    for (const t of burst) expect(await epochs.covered(t.epoch)).toBe(true);
    expect(await epochs.covered(during.epoch)).toBe(false);
    // The second job starts: there is work it must route.
    expect(await epochs.begin()).toBe(during.epoch + 1);
    await epochs.markDrained(during.epoch + 1);
    // A job left over (a retry, or one queued after the flag lapsed) finds everything covered.
    expect(await epochs.begin()).toBeNull();

    // A slower drain that started earlier never moves the mark back.
    await epochs.markDrained(burst[0].epoch);
    expect(await epochs.covered(during.epoch + 1)).toBe(true);
  });

  it('a queued job whose worker died before starting it holds later triggers back only for the flag time', async () => {
    const { epochs } = await freshEpochs(200);
    expect((await epochs.trigger()).enqueue).toBe(true); // its worker dies before begin()
    expect((await epochs.trigger()).enqueue).toBe(false);
    await sleep(300);
    expect((await epochs.trigger()).enqueue).toBe(true);
  });

  it('keeps its keys in the queue hash slot (Redis Cluster)', async () => {
    const { queue, redisPrefix } = await freshEpochs();
    for (const k of ['dispatch-epoch', 'dispatch-drained', 'dispatch-queued'])
      expect(queue.toKey(k).startsWith(`${redisPrefix}:dispatch:`)).toBe(true);
  });
});

/** The job scheduler the core uses (src/jobs/queues.ts), on queues of its own. */
async function freshScheduler() {
  const { redisPrefix } = await isolatedStores('coalescing');
  const q = createQueues(connection, redisPrefix);
  queues.push(q.dispatch, q.routing, q.outbound, q.maintenance);
  return { q, redisPrefix, jobs: createJobScheduler(q) };
}

describe('jobs asked for in a surge', () => {
  it('changes made while the first queue-stats job is being added ride on it instead of each running the add script', async () => {
    const { q, redisPrefix, jobs } = await freshScheduler();
    // BullMQ numbers every add (deduplicated or not) with INCR on the queue's id key.
    const adds = async () => Number((await connection.get(`${redisPrefix}:${QUEUE_NAMES.maintenance}:id`)) ?? 0);

    await Promise.all(Array.from({ length: 20 }, () => jobs.queueStats()));
    expect(await adds()).toBe(1);
    expect(await q.maintenance.getDelayedCount()).toBe(1);
    // Past the ride window the job asked for may have started: the next change asks again.
    await sleep(JOB_OPTIONS.queueStats.delay);
    await jobs.queueStats();
    expect(await adds()).toBe(2);
  });

  it('offers of one second made together add one timeout sweep, not one add each', async () => {
    const { q, jobs } = await freshScheduler();
    // A timeout sweep has an id of its own (its second), so BullMQ numbers none: count the calls.
    const add = vi.spyOn(q.routing, 'add');
    const due = new Date(Date.now() + 30_000);
    await Promise.all(Array.from({ length: 20 }, () => jobs.offerTimeouts(due)));
    expect(add).toHaveBeenCalledTimes(1);
    expect(await q.routing.getDelayedCount()).toBe(1);
  });
});

describe('a timer second whose add Redis did not confirm', () => {
  it('is asked for again by the next offer of that second', async () => {
    // Redis through a proxy this test cuts (the shared Redis itself is never touched).
    const proxy = await startTcpProxy(() => [Number(new URL(TEST_REDIS_URL).port || 6379)]);
    const viaProxy = new Redis(`redis://127.0.0.1:${proxy.port}`, { maxRetriesPerRequest: null });
    const { redisPrefix } = await isolatedStores('coalescing');
    const q = createQueues(viaProxy, redisPrefix);
    try {
      const jobs = createJobScheduler(q);
      await q.routing.waitUntilReady();
      const add = vi.spyOn(q.routing, 'add');
      const due = new Date(Date.now() + 30_000);

      await proxy.cut();
      await jobs.offerTimeouts(due); // not confirmed within ENQUEUE_WAIT_MS: the second is given back
      expect(add).toHaveBeenCalledTimes(1);
      await proxy.restore();
      await jobs.offerTimeouts(due);
      expect(add).toHaveBeenCalledTimes(2);
      // The first add, held in the client's offline queue, went out too: one job for the second all the same.
      await eventually(async () => (await q.routing.getDelayedCount()) === 1);
    } finally {
      await q.routing.obliterate({ force: true }).catch(() => {});
      await q.close();
      viaProxy.disconnect();
      await proxy.close();
    }
  }, 20_000);
});
