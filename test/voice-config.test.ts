import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOTLINE, isolatedStores, randomPhone, startTestApp, TEST_REDIS_URL, type TestApp } from './helpers/harness.js';
import { first, simulateCall } from './voice-helpers.js';

/** Runs the real CLI until it exits; returns its exit code and stderr. */
function runMain(env: Record<string, string>, timeoutMs = 40_000): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`main did not exit: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('start-up with a broken flow', () => {
  it('stops, naming the file and the node path of the dangling next', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ivr-bad-'));
    const main = readFileSync('ivr-flows/main.yaml', 'utf8').replace('"4": { next: it,', '"4": { next: it_help,');
    expect(main).toContain('it_help');
    writeFileSync(join(dir, 'main.yaml'), main);
    const stores = await isolatedStores('voice-badflow');
    try {
      const r = await runMain({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        PORT: '0',
        DATABASE_URL: stores.databaseUrl,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: stores.redisPrefix,
        JWT_SECRET: 'test-jwt-secret-0123456789abcdef',
        ADMIN_EMAIL: 'admin@example.org',
        ADMIN_PASSWORD: 'admin-password-1',
        IVR_FLOWS_DIR: dir,
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `Switchboard failed to start: ${join(dir, 'main.yaml')}: nodes.menu.choices.4.next: "it_help" is not a node of this flow`,
      );
    } finally {
      await stores.drop();
    }
  });
});

describe('voice without Twilio credentials', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp('voice-noconfig', { TWILIO_ACCOUNT_SID: '' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('the softphone token and outbound calls answer 503 naming what is missing', async () => {
    const ann = await app.agent({ name: 'Ann', queues: ['donor'], available: false });
    const token = await app.api('GET', '/api/voice/token', undefined, ann.token);
    expect(token.status).toBe(503);
    expect(token.body.error.code).toBe('unavailable');
    expect(token.body.error.message).toBe(
      'the softphone is not configured: set TWILIO_ACCOUNT_SID, TWILIO_API_KEY, TWILIO_API_SECRET, TWILIO_TWIML_APP_SID',
    );
    const call = await app.api('POST', '/api/voice/calls', { phone: randomPhone() }, ann.token);
    expect(call.status).toBe(503);
    expect(call.body.error.message).toContain('TWILIO_ACCOUNT_SID');
    // Unknown routes under /api/voice are the API's 404, not swallowed by the voice router.
    expect((await app.api('GET', '/api/voice/nothing', undefined, ann.token)).status).toBe(404);
  });

  it('the voice routes are described in the OpenAPI document', async () => {
    const doc = await app.api('GET', '/api/openapi.json', undefined, null);
    for (const path of [
      '/api/voice/token',
      '/api/voice/calls',
      '/api/voice/calls/{id}/hold',
      '/api/voice/calls/{id}/transfer',
      '/webhooks/twilio/voice',
      '/webhooks/twilio/voice/status',
      '/webhooks/twilio/voice/wait',
    ]) {
      expect(doc.body.paths[path], path).toBeDefined();
    }
  });

  it('the IVR still answers (signatures are checked with the auth token)', async () => {
    const t = await simulateCall(app, { from: randomPhone(), to: HOTLINE }).ring();
    expect(first(t, 'Gather')).toBeDefined();
  });
});
