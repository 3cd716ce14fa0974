import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../src/jobs/queues.js';
import { DISPATCH_WORKER } from '../src/jobs/workers.js';
import { createLogger } from '../src/logger.js';
import { startSwitchboard, type Switchboard } from '../src/switchboard.js';
import { randomPhone, startTestApp, TEST_REDIS_URL, type TestApp } from './helpers/harness.js';

let app: TestApp;
let worker: Switchboard | undefined;
let thief: Worker | undefined;
const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });

beforeAll(async () => {
  // Web only: no worker of ours may run the routing job before the "dead" one grabs it.
  app = await startTestApp('dead-worker', { ROLE: 'web' });
});
afterAll(async () => {
  await thief?.close(true);
  await worker?.stop();
  await app?.stop();
  redis.disconnect();
});

describe('a worker that dies holding the dispatch job', () => {
  // One drain runs at a time across all workers (the dispatch queue's global concurrency is 1),
  // so the dead worker's job holds every later one back until its lock lapses and the live
  // worker's stalled-job check hands it on: seconds (DISPATCH_WORKER), not BullMQ's default 30 s.
  it('holds routing back only until its lock lapses', async () => {
    const agent = await app.agent({ name: 'Wren', queues: ['donor'] }); // going available adds a dispatch job
    const sock = await app.socket(agent.token);

    // A worker takes that job and then "dies": it never finishes nor releases anything.
    // Its lock is the one our workers take (a real worker of ours would die holding that).
    thief = new Worker(QUEUE_NAMES.dispatch, null, {
      connection: redis,
      prefix: app.config.redisPrefix,
      autorun: false,
      ...DISPATCH_WORKER,
    });
    const taken = await thief.getNextJob('dead-worker-token');
    expect(taken?.name).toBe('dispatch');

    // A live worker process joins, and a donor texts.
    worker = await startSwitchboard({ ...app.config, role: 'worker' }, { logger: createLogger('silent') });
    const donor = randomPhone();
    await app.sms(donor, 'Is anyone there?');
    const sent = Date.now();
    const offer = await sock.waitFor('reservation.created', (p) => p.contact.address === donor, 10_000);
    expect(offer.queue).toBe('donor');
    // lockDuration, then up to two stalled-job checks (a job is marked, then moved), and the drain.
    expect(Date.now() - sent).toBeLessThan(DISPATCH_WORKER.lockDuration + 2 * DISPATCH_WORKER.stalledInterval + 2_000);
  }, 40_000);
});
