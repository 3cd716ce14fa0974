import type { Page, Response } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumAvailable, logIn, screenshot } from './browser.js';
import { browserSuite } from './browser-suite.js';

/**
 * The desk's first load (issue 20 item 13): what a browser with an empty cache downloads before an
 * agent can work, and the headers that let it download less the next time.
 */
const PASSWORD = 'agent-password-1';
/** The aim: under 150 KB of compressed JavaScript before the desk is usable. */
const FIRST_LOAD_JS_BUDGET = 150 * 1024;

const e2e = browserSuite('e2e-first-load');
const { newPage: freshPage } = e2e;

/** Every script the page fetches, with the bytes that crossed the wire (compressed body). */
function recordScripts(page: Page) {
  const scripts: { url: string; response: Response; bytes: Promise<number> }[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'script') return;
    scripts.push({
      url: response.url(),
      response,
      bytes: response
        .request()
        .sizes()
        .then((s) => s.responseBodySize),
    });
  });
  return scripts;
}

const path = (url: string) => new URL(url).pathname;

describe.runIf(chromiumAvailable())("the desk's first load", () => {
  it('an agent with an empty cache downloads under 150 KB of compressed JavaScript before the desk is usable', async () => {
    const sam = await e2e.app.agent({ name: 'Sam Supervisor', queues: ['donor'], role: 'supervisor', available: false });
    const page = await freshPage();
    const scripts = recordScripts(page);
    const [index] = await Promise.all([page.waitForResponse((r) => path(r.url()) === '/'), logIn(page, e2e.app.url, sam.email, PASSWORD)]);
    await page.getByRole('group', { name: 'My presence' }).waitFor();
    const firstLoad = [...scripts];

    // index.html is asked for again on every load; it names the current hashed files.
    expect(index.headers()['cache-control']).toBe('no-cache');
    // Every script came compressed (brotli: Chromium accepts it), cached for a year and immutable.
    expect(firstLoad.length).toBeGreaterThan(0);
    for (const s of firstLoad) {
      expect(path(s.url)).toMatch(/^\/assets\/.+\.js$/);
      const headers = await s.response.allHeaders();
      expect(headers['content-encoding'], s.url).toBe('br');
      expect(headers['vary'], s.url).toMatch(/accept-encoding/i);
      expect(headers['cache-control'], s.url).toBe('public, max-age=31536000, immutable');
      expect(headers['content-type'], s.url).toMatch(/javascript/);
    }
    const bytes = (await Promise.all(firstLoad.map((s) => s.bytes))).reduce((a, b) => a + b, 0);
    console.log(`first load: ${firstLoad.length} scripts, ${(bytes / 1024).toFixed(1)} KB of JavaScript transferred`);
    expect(bytes).toBeLessThan(FIRST_LOAD_JS_BUDGET);
    // Nothing of the wallboard (its charts library), the admin screens or the Voice SDK yet.
    expect(firstLoad.map((s) => path(s.url)).filter((p) => /wallboard|admin|twilio|security-page|sandbox/.test(p))).toEqual([]);

    // The wallboard's chunk (charts included) arrives when the supervisor opens it, and the screen works.
    await page.getByRole('button', { name: 'Wallboard', exact: true }).click();
    await page.getByTestId('queue-donor-waiting').waitFor();
    expect(scripts.slice(firstLoad.length).some((s) => /\/assets\/wallboard-.+\.js$/.test(path(s.url)))).toBe(true);
    await screenshot(page, 'first-load-wallboard');

    // A reload asks only for index.html again: the hashed scripts come from the browser's cache.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    const reloaded = new Map<string, { url: string; cached: boolean }>();
    cdp.on('Network.responseReceived', (e) => {
      if (e.type === 'Script')
        reloaded.set(e.requestId, { url: e.response.url, cached: reloaded.get(e.requestId)?.cached ?? !!e.response.fromDiskCache });
    });
    cdp.on('Network.requestServedFromCache', (e) => reloaded.set(e.requestId, { url: reloaded.get(e.requestId)?.url ?? '', cached: true }));
    await page.goto(e2e.app.url + '/');
    await page.getByRole('group', { name: 'My presence' }).waitFor();
    const scriptsAgain = [...reloaded.values()].filter((r) => r.url);
    expect(scriptsAgain.length).toBeGreaterThan(0);
    expect(scriptsAgain.filter((r) => !r.cached)).toEqual([]);
  });

  it('a browser without brotli gets gzip; one that accepts nothing gets the plain file', async () => {
    const html = await (await fetch(e2e.app.url + '/')).text();
    const main = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    expect(main).toBeTruthy();
    const gzip = await fetch(e2e.app.url + main, { headers: { 'accept-encoding': 'gzip' } });
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    const plain = await fetch(e2e.app.url + main, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    // fetch undoes the gzip: both bodies are the same script.
    expect(await gzip.text()).toBe(await plain.text());
  });

  it('a hashed file that is gone is a 404 (not the desk page), and the desk offers a reload when a screen cannot load', async () => {
    const gone = await fetch(e2e.app.url + '/assets/wallboard-0ld0ld0l.js');
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).not.toMatch(/html/);

    // An upgrade removed the chunk this open desk asks for.
    const sam = await e2e.app.agent({ name: 'Sam Stale', queues: ['donor'], role: 'supervisor', available: false });
    const page = await freshPage();
    await logIn(page, e2e.app.url, sam.email, PASSWORD);
    await page.route(/\/assets\/wallboard-.+\.js$/, (route) => route.fulfill({ status: 404, body: 'not found' }));
    await page.getByRole('button', { name: 'Wallboard', exact: true }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'This screen could not be loaded' });
    await alert.waitFor();
    await expect(alert.getByRole('button', { name: 'Reload' }).isVisible()).resolves.toBe(true);
    await screenshot(page, 'first-load-chunk-failed');
  });
});
