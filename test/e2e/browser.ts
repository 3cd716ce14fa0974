import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WEB_DIST } from '../../src/http/app.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WEB_SRC = join(ROOT, 'src/web');
export const SHOTS_DIR = join(ROOT, 'docs/screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Builds the desk with Vite unless dist/web is newer than src/web. Several
 * test files may ask at once: a lock directory makes one build and the others wait.
 */
export function ensureWebBuilt() {
  const index = join(WEB_DIST, 'index.html');
  const fresh = () =>
    existsSync(index) && statSync(index).mtimeMs >= Math.max(newestMtime(WEB_SRC), statSync(join(ROOT, 'vite.config.ts')).mtimeMs);
  if (fresh()) return;
  const lock = join(ROOT, 'dist/.web-build.lock');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const start = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another file is building; a lock older than two minutes is from a killed run.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() - start > 150_000) throw new Error('timed out waiting for the web build lock');
      execFileSync('sleep', ['0.5']);
    }
  }
  try {
    if (!fresh())
      execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], {
        cwd: ROOT,
        stdio: 'inherit',
        // vitest sets NODE_ENV=test, which Vite would pass on to React (its development build,
        // half as big again): the tests drive the desk production serves.
        env: { ...process.env, NODE_ENV: 'production' },
      });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/** Locally the browser suites skip without Chromium; in CI (CI=true) they run and fail loudly instead. */
export const chromiumAvailable = () => existsSync(CHROMIUM) || process.env.CI === 'true';

/** Logs in through the login form, as an agent would. */
export async function logIn(page: Page, baseUrl: string, email: string, password: string, path = '/') {
  await page.goto(baseUrl + path);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 15_000 });
}

/**
 * Saves a screenshot in test-results/; the README's ones (`docs: true`) go to
 * docs/screenshots when SCREENSHOTS=1, so ordinary test runs do not churn the repo.
 */
export async function screenshot(page: Page, name: string, opts: { docs?: boolean } = {}) {
  const path = process.env.SCREENSHOTS === '1' && opts.docs ? join(SHOTS_DIR, `${name}.png`) : join(ROOT, 'test-results', `${name}.png`);
  mkdirSync(join(path, '..'), { recursive: true });
  await page.screenshot({ path });
}
