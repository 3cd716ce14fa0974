import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startSwitchboardProcess, switchboardEnv, type SbProcess } from './fault/cluster.js';
import { ADMIN, isolatedStores, TEST_REDIS_URL } from './helpers/harness.js';

/**
 * The production start path: what the Dockerfile does (`npm run build`, then
 * `node dist/main.js`), in a copy of the repository that has never been built
 * (node_modules linked), so nothing left over in this tree's dist/ can help and
 * the desk tests using this tree's dist/web are not disturbed.
 */
const SHIPPED = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'vite.config.ts',
  'scripts',
  'src',
  'migrations',
  'ivr-flows',
];

function npm(args: string[], cwd: string) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn('npm', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

let tree: string;
let stores: Awaited<ReturnType<typeof isolatedStores>>;
let server: SbProcess | undefined;

beforeAll(async () => {
  tree = mkdtempSync(join(tmpdir(), 'sb-prod-'));
  for (const p of SHIPPED) cpSync(join(ROOT, p), join(tree, p), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'), 'dir');
  stores = await isolatedStores('prodbuild');
}, 60_000);

afterAll(async () => {
  server?.kill('SIGKILL');
  await stores?.drop();
  if (tree) rmSync(tree, { recursive: true, force: true });
});

describe('the production build', () => {
  it('`npm run build` compiles the server and the desk into dist/', async () => {
    const { code, output } = await npm(['run', 'build'], tree);
    expect(code, output).toBe(0);
    expect(existsSync(join(tree, 'dist/main.js'))).toBe(true);
    expect(existsSync(join(tree, 'dist/web/index.html'))).toBe(true);
    // The desk is not compiled twice: dist/web holds Vite's bundle only.
    expect(existsSync(join(tree, 'dist/web/main.js'))).toBe(false);
  }, 300_000);

  it("`npm start`'s prestart finds the build fresh and does not rebuild it", async () => {
    const before = statSync(join(tree, 'dist/main.js')).mtimeMs;
    const { code, output } = await npm(['run', 'prestart'], tree);
    expect(code, output).toBe(0);
    expect(output).not.toContain('building it once');
    expect(statSync(join(tree, 'dist/main.js')).mtimeMs).toBe(before);
  }, 60_000);

  it('node dist/main.js migrates a new database, reports ready, serves the desk and stops cleanly on SIGTERM', async () => {
    const env = switchboardEnv({
      databaseUrl: stores.databaseUrl,
      redisUrl: TEST_REDIS_URL,
      redisPrefix: stores.redisPrefix,
      twilioApiUrl: 'http://127.0.0.1:9',
    });
    // Started from another folder, as a service manager would: migrations/ and ivr-flows/ are found from dist/.
    server = await startSwitchboardProcess(
      'dist',
      'all',
      { ...env, NODE_ENV: 'production' },
      { args: [join(tree, 'dist/main.js')], cwd: tmpdir() },
    );

    const ready = await fetch(server.url + '/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ok: true });

    const page = await fetch(server.url + '/');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toBe(readFileSync(join(tree, 'dist/web/index.html'), 'utf8'));
    const script = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    expect(script).toBeTruthy();
    expect((await fetch(server.url + script!)).status).toBe(200);

    // The migrations ran and the first admin exists.
    const login = await fetch(server.url + '/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    expect(login.status).toBe(200);

    server.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 90_000);
});
