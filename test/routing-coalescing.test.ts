import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { dispatchEpochs } from '../src/jobs/dispatch-epochs.js';
import { isolatedStores, TEST_REDIS_URL } from './helpers/harness.js';

/**
 * Routing triggers coalesce by number (src/jobs/dispatch-epochs.ts): a drain covers every
 * trigger numbered up to what it read before its first round, never one handed out later.
 */
const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
let queue: Queue | undefined;
afterAll(async () => {
  await queue?.obliterate({ force: true }).catch(() => {});
  await queue?.close();
  connection.disconnect();
});

describe('routing trigger numbers', () => {
  it('a drain covers the triggers handed out before it started, and none after', async () => {
    const { redisPrefix } = await isolatedStores('coalescing');
    queue = new Queue('routing', { connection, prefix: redisPrefix });
    const epochs = dispatchEpochs(queue);

    const early = [await epochs.next(), await epochs.next()];
    expect(early[1]).toBe(early[0] + 1);
    for (const e of early) expect(await epochs.covered(e)).toBe(false);

    const seen = await epochs.current(); // a drain starts
    const during = await epochs.next(); // a text arrives while it routes
    await epochs.markDrained(seen); // the drain's last round found nothing

    for (const e of early) expect(await epochs.covered(e)).toBe(true);
    expect(await epochs.covered(during)).toBe(false); // its own job still routes

    // A slower drain that started earlier never moves the mark back.
    await epochs.markDrained(early[0]);
    expect(await epochs.covered(early[1])).toBe(true);
    // The keys live in the queue's hash slot (Redis Cluster), beside its own keys.
    expect(queue.toKey('dispatch-epoch').startsWith(`${redisPrefix}:routing:`)).toBe(true);
  });
});
