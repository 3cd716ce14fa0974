import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkServices } from '../src/preflight.js';
import { startTcpProxy } from './fault/cluster.js';
import { freePort, PG_ADMIN_URL, startTestApp, testConfig, TEST_REDIS_URL, type TestApp } from './helpers/harness.js';

/** `npm start` on a machine where Postgres or Redis is missing: one line that says which, where, and how to get it. */
describe('a fresh machine without Postgres or Redis', () => {
  const stores = { databaseUrl: PG_ADMIN_URL, redisPrefix: 'sbt:preflight' };

  it('names Postgres, where it looked, and the two ways to get it', async () => {
    const port = await freePort();
    const config = testConfig(stores, { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/switchboard` });
    const err = await checkServices(config, 2).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(new RegExp(`^Postgres is not reachable at 127\\.0\\.0\\.1:${port} \\(DATABASE_URL\\): ECONNREFUSED\\. `));
    expect(err?.message).toContain('docker compose up -d postgres redis');
    expect(err?.message).toContain('sudo apt-get install postgresql redis-server');
  });

  it('names Redis when Postgres is there', async () => {
    const port = await freePort();
    const err = await checkServices(testConfig(stores, { REDIS_URL: `redis://127.0.0.1:${port}` }), 2).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(new RegExp(`^Redis is not reachable at 127\\.0\\.0\\.1:${port} \\(REDIS_URL\\)`));
    expect(err?.message).toContain('docker compose up -d postgres redis');
  });

  it('passes when both answer', async () => {
    await expect(checkServices(testConfig(stores, { REDIS_URL: TEST_REDIS_URL }), 2)).resolves.toBeUndefined();
  });

  it('the process prints that one line and exits 1, no stack trace', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        REDIS_URL: `redis://127.0.0.1:${port}`,
        DATABASE_URL: `${PG_ADMIN_URL.replace(/\/postgres$/, '')}/sbt_never_created`,
      },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^Switchboard cannot start: Redis is not reachable at 127\.0\.0\.1:\d+ \(REDIS_URL\)/),
    ]);
  }, 60_000);
});

describe('/readyz while Redis is away', () => {
  let app: TestApp;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  beforeAll(async () => {
    proxy = await startTcpProxy(() => [Number(new URL(TEST_REDIS_URL).port || 6379)]);
    app = await startTestApp('readyz', { REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
  });
  afterAll(async () => {
    await proxy?.restore().catch(() => {});
    await app?.stop();
    await proxy?.close();
  });

  it('answers 503 naming Redis instead of hanging, and 200 again once it is back', async () => {
    expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
    await proxy.cut();
    // No timing assertion: the request itself would hang (and the test time out) without the bound.
    const res = await fetch(`${app.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ok: false, checks: { postgres: true, redis: false } });
    await proxy.restore();
    await expect.poll(async () => (await fetch(`${app.url}/readyz`)).status, { timeout: 15_000 }).toBe(200);
  });
});
