import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomPhone, startTestApp, type TestApp } from '../helpers/harness.js';
import { chromiumAvailable, ensureWebBuilt, launchChromium, logIn, screenshot } from './browser.js';

/** Issue 20: presence on sign-out, the offer countdown, transfers and other people's conversations. */
const PASSWORD = 'agent-password-1';
let app: TestApp;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function newPage(opts: { clockSkewMs?: number } = {}): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  contexts.push(ctx);
  // A browser whose clock is off from the server's (common on agents' own machines).
  if (opts.clockSkewMs)
    await ctx.addInitScript((skew: number) => {
      const real = Date.now.bind(Date);
      Date.now = () => real() + skew;
    }, opts.clockSkewMs);
  const page = await ctx.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

const presenceOf = async (id: string) => (await app.api('GET', '/api/agents')).body.agents.find((a: any) => a.id === id)?.presence;

async function goAvailable(page: Page, id: string) {
  await page.getByRole('group', { name: 'My presence' }).getByRole('button', { name: 'Available' }).click();
  await expect.poll(() => presenceOf(id)).toBe('available');
}

beforeAll(async () => {
  if (!chromiumAvailable()) return; // the suite below is skipped too
  ensureWebBuilt();
  // The default presence grace period and offer timeout: what agents really get.
  app = await startTestApp('e2e-agent-day');
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await app?.stop();
});

describe.runIf(chromiumAvailable())('an agent’s day in the desk (issue 20)', () => {
  it('signing out sets the agent offline at once; a closed tab falls offline after the short grace period', async () => {
    const leaver = await app.agent({ name: 'Lena Leaver', queues: ['it'], available: false });
    const page = await newPage();
    await logIn(page, app.url, leaver.email, PASSWORD);
    await goAvailable(page, leaver.id);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to the agent desk' }).waitFor();
    // At once, not after a grace period: well under a second on a quiet box.
    await expect.poll(() => presenceOf(leaver.id), { timeout: 3000 }).toBe('offline');

    const closer = await app.agent({ name: 'Carl Closer', queues: ['it'], available: false });
    const tab = await newPage();
    await logIn(tab, app.url, closer.email, PASSWORD);
    await goAvailable(tab, closer.id);
    const closedAt = Date.now();
    await tab.close();
    await expect.poll(() => presenceOf(closer.id), { timeout: 20_000, interval: 500 }).toBe('offline');
    const seconds = (Date.now() - closedAt) / 1000;
    // PRESENCE_GRACE_SECONDS (10) plus the timer's second; a reload (a few seconds) stays well inside it.
    expect(seconds).toBeLessThan(16);
  }, 60_000);

  it('the offer countdown follows the server’s expiry, not the browser’s clock', async () => {
    const dana = await app.agent({ name: 'Dana Skewed', queues: ['partner'], available: false });
    // This browser's clock is 5 s behind the server's: counting from local time would show ~35 s.
    const page = await newPage({ clockSkewMs: -5000 });
    await logIn(page, app.url, dana.email, PASSWORD);
    await goAvailable(page, dana.id);
    await app.sms(randomPhone(), 'Partner question', { To: await partnerLine() });
    const offer = page.getByTestId('offer');
    await offer.waitFor();
    const shown = Number((await offer.getByLabel(/seconds left/).textContent())?.replace('s', ''));
    expect(shown).toBeLessThanOrEqual(30);
    expect(shown).toBeGreaterThanOrEqual(27);
    await screenshot(page, 'offer-countdown');
    await offer.getByRole('button', { name: 'Decline' }).click();
  }, 60_000);
});

let partnerNumber: string | null = null;
/** A hotline number whose texts wait in `partner`. */
async function partnerLine() {
  if (partnerNumber) return partnerNumber;
  partnerNumber = '+15005550199';
  const r = await app.api('POST', '/api/inboxes', { kind: 'phone', address: partnerNumber, queue: 'partner' });
  expect(r.status).toBe(201);
  return partnerNumber;
}
