import { createServer, type Server } from 'node:http';
import Provider from 'oidc-provider';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeReturnTo } from '../../src/core/auth/oidc.js';
import { startTestApp, type TestApp } from '../helpers/harness.js';
import { chromiumAvailable, screenshot } from './browser.js';
import { browserSuite } from './browser-suite.js';

/**
 * Single sign-on end to end: a real OpenID Connect provider (the `oidc-provider` package, with
 * its development login and consent pages) on this machine, the desk in Chromium clicking
 * "Sign in with Test IdP", the authorisation code + PKCE round trip through openid-client, and
 * the desk opening signed in. Also who is refused: an unverified email, an unknown account
 * (unless OIDC_AUTO_PROVISION names a role), a deactivated agent, a callback without its cookie.
 */
const CLIENT = { id: 'switchboard-desk', secret: 'test-oidc-client-secret-0123456789' };
/** The provider's accounts: the login typed on its page is the account id. */
const ACCOUNTS: Record<string, { email: string; email_verified: boolean; name: string }> = {
  robin: { email: 'Robin.SSO@example.org', email_verified: true, name: 'Robin Sso' },
  mallory: { email: 'robin.sso@example.org', email_verified: false, name: 'Not Robin' },
  stranger: { email: 'stranger@example.org', email_verified: true, name: 'Sam Stranger' },
  gone: { email: 'gone.sso@example.org', email_verified: true, name: 'Gone Agent' },
};

let issuer: string;
let idp: Server;
let provisioning: TestApp;

async function startProvider(redirectUris: string[]) {
  const port = await portBelowEphemeral();
  issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT.id,
        client_secret: CLIENT.secret,
        redirect_uris: redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    async findAccount(_ctx, id) {
      const account = ACCOUNTS[id];
      if (!account) return undefined;
      return { accountId: id, claims: () => ({ sub: id, ...account }) };
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    cookies: { keys: ['test-idp-cookie-key-0123456789'] },
  });
  await new Promise<void>((resolve) => {
    idp = provider.listen(port, resolve);
  });
}

/**
 * A free port below Linux's ephemeral range (32768–60999): the desks' ports are chosen long before
 * they listen (the provider must know their callback URLs first), and a port from that range can
 * meanwhile become the local end of any parallel test's outgoing connection (EADDRINUSE in CI).
 */
async function portBelowEphemeral(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

async function startApp(label: string, extra: Record<string, string> = {}) {
  const port = await portBelowEphemeral();
  const url = `http://127.0.0.1:${port}`;
  // The issuer is known only once the provider listens, after both desks' callback URLs are.
  const env = () => ({
    PORT: String(port),
    PUBLIC_URL: url,
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: CLIENT.id,
    OIDC_CLIENT_SECRET: CLIENT.secret,
    OIDC_LABEL: 'Test IdP',
    ...extra,
  });
  return { url, env, start: () => startTestApp(label, env()) };
}

/** From the desk's sign-in page through the provider's login (and consent) pages, back to the desk. */
async function signInThroughProvider(page: Page, deskUrl: string, login: string, path = '/') {
  await page.goto(deskUrl + path);
  await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
  await page.waitForURL((u) => u.href.startsWith(issuer));
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('anything');
  await page.locator('button[type=submit]').click();
  // The development consent page appears the first time this account meets the client.
  await page.waitForURL((u) => !u.href.startsWith(issuer) || /interaction/.test(u.pathname));
  if (page.url().startsWith(issuer)) await page.locator('button[type=submit]').click();
  await page.waitForURL((u) => u.href.startsWith(deskUrl));
}

/** The desk under test, and one that creates unknown accounts as agents; the provider knows both callbacks. */
let autoProvisioning: Awaited<ReturnType<typeof startApp>>;
const e2e = browserSuite('e2e-oidc', {
  env: async () => {
    const main = await startApp('e2e-oidc');
    autoProvisioning = await startApp('e2e-oidc-provision', { OIDC_AUTO_PROVISION: 'agent' });
    await startProvider([`${main.url}/api/auth/oidc/callback`, `${autoProvisioning.url}/api/auth/oidc/callback`]);
    return main.env();
  },
  page: { viewport: { width: 1280, height: 760 } },
});
const { newPage } = e2e;

beforeAll(async () => {
  if (!e2e.started) return;
  provisioning = await autoProvisioning.start();
}, 120_000);
afterAll(async () => {
  await provisioning?.stop();
  idp?.closeAllConnections();
  await new Promise((r) => (idp ? idp.close(r) : r(null)));
});

const auditOf = async (a: TestApp, action: string) =>
  ((await a.api('GET', `/api/audit?action=${action}`)).body as { entries: { action: string; target: string; details?: any }[] }).entries;

describe.runIf(chromiumAvailable())('single sign-on (OpenID Connect)', () => {
  it('the agent with that verified email signs in through the provider and lands in the desk, on the page asked for', async () => {
    const created = await e2e.app.api('POST', '/api/agents', {
      email: 'robin.sso@example.org',
      name: 'Robin Sso',
      password: 'robin-password-1',
      queues: ['donor'],
    });
    expect(created.status).toBe(201);
    const page = await newPage();
    await signInThroughProvider(page, e2e.app.url, 'robin', '/wallboard');
    await page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/wallboard');
    await screenshot(page, 'oidc-signed-in');
    // The session is the ordinary one: the access token in memory, the refresh token in an httpOnly cookie.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'sb_refresh')).toMatchObject({ httpOnly: true, path: '/api/auth' });
    expect(cookies.find((c) => c.name === 'sb_oidc')).toBeUndefined();
    // A reload resumes it from the cookie.
    await page.reload();
    await page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();

    const logins = await auditOf(e2e.app, 'auth.login');
    expect(logins.find((e) => e.target === `agent:${created.body.agent.id}` && e.details?.via === 'oidc')).toBeDefined();
  });

  it('an unverified email never matches the agent who owns it; an unknown account is not created', async () => {
    const page = await newPage();
    await signInThroughProvider(page, e2e.app.url, 'mallory');
    await page.getByText('Your identity provider did not confirm your email address.').waitFor();
    await screenshot(page, 'oidc-refused');

    const page2 = await newPage();
    await signInThroughProvider(page2, e2e.app.url, 'stranger');
    await page2.getByText('Your organisation account has no agent here yet.', { exact: false }).waitFor();
    const agents = (await e2e.app.api('GET', '/api/agents')).body as { email: string }[] | { agents: { email: string }[] };
    expect(JSON.stringify(agents)).not.toContain('stranger@example.org');

    const failures = await auditOf(e2e.app, 'auth.login_failed');
    expect(failures.map((e) => e.details?.reason)).toEqual(expect.arrayContaining(['unverified_email', 'unknown_oidc_account']));
  });

  it('a deactivated agent is refused', async () => {
    const created = await e2e.app.api('POST', '/api/agents', {
      email: 'gone.sso@example.org',
      name: 'Gone Agent',
      password: 'gone-password-1',
    });
    expect((await e2e.app.api('PATCH', `/api/agents/${created.body.agent.id}`, { active: false })).status).toBe(200);
    const page = await newPage();
    await signInThroughProvider(page, e2e.app.url, 'gone');
    await page.getByText('This account is deactivated.').waitFor();
  });

  it('with OIDC_AUTO_PROVISION=agent someone the provider vouches for becomes an agent with that role', async () => {
    const page = await newPage();
    await signInThroughProvider(page, provisioning.url, 'stranger');
    await page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
    const list = JSON.stringify((await provisioning.api('GET', '/api/agents')).body);
    expect(list).toContain('stranger@example.org');
    expect(list).toContain('Sam Stranger');
    const created = await auditOf(provisioning, 'agent.create');
    expect(created.find((e) => e.details?.via === 'oidc')).toBeDefined();
  });

  it('a callback without the signed cookie from its start is refused (no forged state), and returnTo stays on our origin', async () => {
    const r = await fetch(`${e2e.app.url}/api/auth/oidc/callback?code=stolen&state=guessed`, { redirect: 'manual' });
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe('/?sso_error=failed');
    expect(r.headers.get('set-cookie') ?? '').not.toContain('sb_refresh=ey');

    const start = await fetch(`${e2e.app.url}/api/auth/oidc/start?returnTo=${encodeURIComponent('//evil.example/x')}`, {
      redirect: 'manual',
    });
    expect(start.status).toBe(302);
    const to = new URL(start.headers.get('location')!);
    expect(to.origin).toBe(issuer);
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    expect(to.searchParams.get('redirect_uri')).toBe(`${e2e.app.url}/api/auth/oidc/callback`);
    expect(start.headers.get('set-cookie')).toMatch(/sb_oidc=.*HttpOnly/i);
    for (const bad of ['//evil.example/x', 'https://evil.example', '/\\evil.example', 'javascript:alert(1)'])
      expect(safeReturnTo(bad)).toBe('/');
    expect(safeReturnTo('/wallboard?x=1')).toBe('/wallboard?x=1');
  });
});
