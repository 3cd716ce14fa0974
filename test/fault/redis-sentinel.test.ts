import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, randomPhone, startTestApp, type TestApp } from '../helpers/harness.js';
import { startPrivateRedis } from './cluster.js';

let master: Awaited<ReturnType<typeof startPrivateRedis>>;
let sentinel: ChildProcess;
let dir: string;
let app: TestApp;

beforeAll(async () => {
  master = await startPrivateRedis();
  const port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'sb-sentinel-'));
  writeFileSync(join(dir, 'sentinel.conf'), `port ${port}\nbind 127.0.0.1\nsentinel monitor sbmaster 127.0.0.1 ${master.port} 1\n`);
  sentinel = spawn('redis-server', [join(dir, 'sentinel.conf'), '--sentinel'], { stdio: 'ignore' });
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  probe.on('error', () => {});
  await eventually(
    async () => ((await probe.call('SENTINEL', 'get-master-addr-by-name', 'sbmaster')) as string[])[1] === String(master.port),
    { timeout: 10_000 },
  );
  probe.disconnect();
  // REDIS_URL points nowhere: only Sentinel knows where the master is.
  app = await startTestApp('sentinel', {
    REDIS_URL: 'redis://127.0.0.1:1',
    REDIS_SENTINELS: `127.0.0.1:${port}`,
    REDIS_SENTINEL_NAME: 'sbmaster',
  });
});
afterAll(async () => {
  await app?.stop();
  sentinel?.kill('SIGKILL');
  await master?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Redis through Sentinel (REDIS_SENTINELS)', () => {
  it('queues, workers and sockets use the master Sentinel names', async () => {
    const agent = await app.agent({ name: 'Sentinel', queues: ['donor'] });
    const sock = await app.socket(agent.token);
    await app.sms(randomPhone(), 'hello through sentinel');
    const offer = await sock.waitFor('reservation.created');
    expect((await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, agent.token)).status).toBe(200);

    const onMaster = new Redis(master.url);
    const keys = await onMaster.keys(`${app.config.redisPrefix}:*`);
    onMaster.disconnect();
    expect(keys.some((k) => k.includes(':routing:'))).toBe(true);
  });
});
