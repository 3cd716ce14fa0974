import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES } from '../src/jobs/queues.js';
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
  it('does not swallow later routing triggers until BullMQ notices the stall (30 s)', async () => {
    const agent = await app.agent({ name: 'Wren', queues: ['donor'] }); // going available adds a dispatch job
    const sock = await app.socket(agent.token);

    // A worker takes that job and then "dies": it never finishes nor releases anything.
    thief = new Worker(QUEUE_NAMES.routing, null, { connection: redis, prefix: app.config.redisPrefix, autorun: false });
    const taken = await thief.getNextJob('dead-worker-token');
    expect(taken?.name).toBe('dispatch');

    // A live worker process joins, and a donor texts.
    worker = await startSwitchboard({ ...app.config, role: 'worker' }, { logger: createLogger('silent') });
    const donor = randomPhone();
    await app.sms(donor, 'Is anyone there?');
    const offer = await sock.waitFor('reservation.created', (p) => p.contact.address === donor, 10_000);
    expect(offer.queue).toBe('donor');
  }, 40_000);
});
