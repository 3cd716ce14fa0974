import { describe, expect, it } from 'vitest';
import { totpCode } from '../../src/core/auth/totp.js';
import { ADMIN } from '../helpers/harness.js';
import { chromiumAvailable, logIn, screenshot } from './browser.js';
import { browserSuite } from './browser-suite.js';

/**
 * Access in the browser, under the production Content-Security-Policy: enrolling a second
 * factor from the QR screen, signing in with a code, a reload resuming the session from the
 * httpOnly cookie, the audit log screen, and a deactivated agent thrown out of an open desk.
 * Any CSP violation on any page fails the suite.
 */
const PASSWORD = 'agent-password-1';
const cspViolations: string[] = [];
const e2e = browserSuite('e2e-access', {
  page: {
    viewport: { width: 1280, height: 760 },
    onPage: (page) =>
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
      }),
  },
});
const { newPage } = e2e;

describe.runIf(chromiumAvailable())('access in the desk', () => {
  it('an agent turns on two-factor sign-in with the QR code, signs out, and signs in with a code; a reload keeps the session', async () => {
    const lee = await e2e.app.agent({ name: 'Lee Secure', available: false });
    const page = await newPage();
    await logIn(page, e2e.app.url, lee.email, PASSWORD);
    // No token in web storage: the access token lives in memory, the refresh token in an httpOnly cookie.
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))).not.toMatch(/eyJ/);
    expect(await page.evaluate(() => document.cookie)).toBe('');

    await page.getByRole('button', { name: 'Security' }).click();
    await page.waitForURL(/\/account\/security$/);
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
    await qr.waitFor();
    expect((await qr.boundingBox())!.width).toBeGreaterThan(150);
    const secret = (await page.getByTestId('mfa-secret').textContent())!.replace(/\s/g, '');
    await screenshot(page, 'security-mfa-setup', { docs: true });
    await page.getByLabel('2. Enter the 6-digit code it shows').fill(totpCode(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    const codes = page.getByTestId('recovery-codes');
    await codes.waitFor();
    expect(await codes.locator('li').count()).toBe(10);
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await expect.poll(() => page.getByTestId('mfa-status').textContent()).toContain('10 recovery codes left');

    // A reload resumes the session from the refresh cookie.
    await page.reload();
    await page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
    await expect.poll(() => page.getByTestId('mfa-status').textContent()).toContain('On.');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').fill(lee.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const codeField = page.getByLabel('Code from your authenticator app (or a recovery code)');
    await codeField.waitFor();
    await codeField.fill(totpCode(secret, Date.now() + 30_000)); // the next step: the first was used to enable
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
    // Signed out means signed out: a reload after signing out shows the login form.
    // The form shows once the server has revoked the session (not before), so the reload cannot resume it.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').waitFor();
    await page.reload();
    await page.getByLabel('Email').waitFor();
    expect(await page.getByTestId('connection').count()).toBe(0);
  });

  it('the admin reads the audit log, filters it, and exports it', async () => {
    const page = await newPage();
    await logIn(page, e2e.app.url, ADMIN.email, ADMIN.password);
    await page.getByRole('button', { name: 'Audit log' }).click();
    await page.waitForURL(/\/admin\/audit$/);
    const rows = page.getByTestId('audit-row');
    await rows.first().waitFor();
    expect(await page.getByRole('table', { name: 'Audit entries' }).textContent()).toContain('auth.mfa_enabled');
    await page.getByLabel('Action').selectOption('auth.login');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(async () => new Set(await rows.locator('td:nth-child(3)').allTextContents())).toEqual(new Set(['auth.login']));
    await page.getByLabel('Action').selectOption('');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(async () => new Set(await rows.locator('td:nth-child(3)').allTextContents()).size).toBeGreaterThan(3);
    await screenshot(page, 'audit-log', { docs: true });
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download CSV' }).click();
    expect((await download).suggestedFilename()).toMatch(/^switchboard-audit-\d{4}-\d{2}-\d{2}\.csv$/);
  });

  it('a deactivated agent’s open desk goes back to the login screen', async () => {
    const kim = await e2e.app.agent({ name: 'Kim Leaving', available: false });
    const page = await newPage();
    await logIn(page, e2e.app.url, kim.email, PASSWORD);
    expect((await e2e.app.api('PATCH', `/api/agents/${kim.id}`, { active: false })).status).toBe(200);
    await page.getByLabel('Email').waitFor({ timeout: 15_000 });
  });

  it('no page broke the Content-Security-Policy', () => {
    expect(cspViolations).toEqual([]);
  });
});
