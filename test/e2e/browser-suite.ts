import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/harness.js';
import { chromiumAvailable, ensureWebBuilt, launchChromium } from './browser.js';
import { FAKE_DEVICE_SCRIPT } from './fake-device.js';

/** An app with no vendor configured at all: the built-in sandbox stands in for Twilio, Slack and mail. */
export const NO_VENDOR_ENV = { SANDBOX: '', TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '', INBOUND_SMTP_PORT: '0' };

export interface PageOptions {
  viewport?: { width: number; height: number };
  /** Extra browser-context options (locale, bypassCSP for axe, acceptDownloads…). */
  context?: BrowserContextOptions;
  /** Replace the browser's microphone and Twilio's Device with the fake one (softphone and sandbox screens). */
  fakeDevice?: boolean;
  /** A browser clock this far off the server's, as on many agents' own machines. */
  clockSkewMs?: number;
  /** Playwright's default wait per action. */
  timeout?: number;
  /** Called with each new page, e.g. to collect its console messages. */
  onPage?: (page: Page) => void;
}

export interface BrowserSuiteOptions {
  /** Environment for the app under test: what differs from the harness defaults (a function runs first, in beforeAll). */
  env?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>);
  /** Defaults for every page this suite opens; `newPage(opts)` overrides them. */
  page?: PageOptions;
  setupTimeout?: number;
}

export interface BrowserSuite {
  /** The running app; set before the file's own beforeAll hooks run. */
  readonly app: TestApp;
  readonly browser: Browser;
  /** False when Chromium is missing (the file's tests skip) or set-up failed. */
  readonly started: boolean;
  newPage(opts?: PageOptions): Promise<Page>;
  /** Closes every page opened so far (a test that wants the next one to start clean). */
  closePages(): Promise<void>;
}

/**
 * The set-up every browser test file shares: build the desk if stale, start
 * one app in its own database and key prefix, launch Debian's Chromium, open
 * pages in fresh contexts, and close it all afterwards. Call it at the top of
 * the file; hooks the file adds run after this one's (vitest runs beforeAll
 * hooks in order). Without Chromium (and outside CI) nothing starts and the
 * file's `describe.runIf(chromiumAvailable())` skips.
 */
export function browserSuite(label: string, opts: BrowserSuiteOptions = {}): BrowserSuite {
  let app: TestApp | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    if (!chromiumAvailable()) return;
    ensureWebBuilt();
    const env = typeof opts.env === 'function' ? await opts.env() : opts.env;
    [app, browser] = await Promise.all([startTestApp(label, env), launchChromium()]);
  }, opts.setupTimeout ?? 180_000);
  const closePages = async () => {
    for (const c of contexts.splice(0)) await c.close().catch(() => {});
  };
  afterAll(async () => {
    await closePages();
    await browser?.close();
    await app?.stop();
  });

  const started = <T>(thing: T | undefined, what: string): T => {
    if (!thing) throw new Error(`browserSuite('${label}'): ${what} is not started (used outside a test?)`);
    return thing;
  };

  return {
    get started() {
      return app !== undefined;
    },
    get app() {
      return started(app, 'the app');
    },
    get browser() {
      return started(browser, 'Chromium');
    },
    async newPage(pageOpts: PageOptions = {}) {
      const o: PageOptions = { ...opts.page };
      for (const [k, v] of Object.entries(pageOpts)) if (v !== undefined) Object.assign(o, { [k]: v });
      const ctx = await started(browser, 'Chromium').newContext({
        viewport: o.viewport ?? { width: 1280, height: 720 },
        ...o.context,
      });
      contexts.push(ctx);
      if (o.fakeDevice) await ctx.addInitScript(FAKE_DEVICE_SCRIPT);
      if (o.clockSkewMs)
        await ctx.addInitScript((skew: number) => {
          const real = Date.now.bind(Date);
          Date.now = () => real() + skew;
        }, o.clockSkewMs);
      const page = await ctx.newPage();
      page.setDefaultTimeout(o.timeout ?? 15_000);
      o.onPage?.(page);
      return page;
    },
    closePages,
  };
}
