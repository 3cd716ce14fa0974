import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/harness.js';
import { chromiumAvailable, ensureWebBuilt, launchChromium, logIn, screenshot } from './browser.js';
import { FAKE_DEVICE_SCRIPT } from './fake-device.js';

/**
 * The softphone's state machine in a real browser, with the Voice SDK's Device
 * replaced at its boundary (window.__switchboardDeviceFactory): the SDK cannot
 * reach Twilio from here. The token comes from Switchboard's GET /api/voice/token.
 */
const PASSWORD = 'agent-password-1';
const VOICE_ENV = { TWILIO_API_KEY: 'SK' + '1'.repeat(32), TWILIO_API_SECRET: 'test-api-secret-0123456789', TWILIO_TWIML_APP_SID: 'AP' + '2'.repeat(32) };
let app: TestApp;
let plain: TestApp;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function deskWithFakeDevice(target: TestApp): Promise<{ page: Page; agent: { id: string; token: string; email: string } }> {
  const agent = await target.agent({ name: 'Vic Voice', queues: ['donor'], available: false });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  contexts.push(ctx);
  await ctx.addInitScript(FAKE_DEVICE_SCRIPT);
  const page = await ctx.newPage();
  // While the voice channel is still landing, a missing token route is stood in for at the browser boundary.
  const probe = await target.api('GET', '/api/voice/token', undefined, agent.token);
  if (target === app && probe.status === 404) {
    await page.route('**/api/voice/token', (route) => route.fulfill({ json: { token: 'fake-access-token', identity: agent.id, ttlSeconds: 3600 } }));
  }
  await logIn(page, target.url, agent.email, PASSWORD);
  return { page, agent };
}

const voiceLog = (page: Page) => page.evaluate(() => (window as any).__fakeVoice.log as string[]);

beforeAll(async () => {
  ensureWebBuilt();
  [app, plain] = await Promise.all([startTestApp('e2e-phone', VOICE_ENV), startTestApp('e2e-novoice')]);
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await Promise.all([app?.stop(), plain?.stop()]);
});

describe.runIf(chromiumAvailable())('the softphone', () => {
  it('registers, rings, answers, mutes, sends digits and hangs up', async () => {
    const { page } = await deskWithFakeDevice(app);
    const phone = page.getByTestId('softphone');
    await phone.getByTestId('softphone-status').filter({ hasText: 'Ready' }).waitFor();
    expect(await voiceLog(page)).toContain('register');
    expect(await page.evaluate(() => (window as any).__fakeVoice.tokens.length)).toBe(1);

    await page.evaluate(() => (window as any).__fakeVoice.ring('+15551230001', { conversationId: '00000000-0000-4000-8000-000000000001' }));
    await phone.getByText('Incoming call…').waitFor();
    expect(await phone.getByTestId('call').textContent()).toContain('+15551230001');
    await screenshot(page, 'softphone-ringing');

    await phone.getByRole('button', { name: 'Answer call' }).click();
    await phone.getByText('In call').waitFor();
    await expect.poll(() => phone.getByTestId('call-timer').textContent(), { timeout: 5000 }).toMatch(/^00:0[1-9]$/);

    const mute = phone.getByRole('button', { name: 'Mute' });
    await mute.click();
    await expect.poll(() => phone.getByRole('button', { name: 'Unmute' }).getAttribute('aria-pressed')).toBe('true');
    await phone.getByRole('button', { name: 'Keypad' }).click();
    await phone.getByRole('button', { name: 'Digit 4' }).click();
    await phone.getByRole('button', { name: 'Digit #' }).click();
    expect(await phone.getByLabel('Digits sent').textContent()).toBe('4#');
    await screenshot(page, 'softphone-in-call');

    await phone.getByRole('button', { name: 'Hang up' }).click();
    await phone.getByTestId('last-call').waitFor();
    expect(await voiceLog(page)).toEqual(['register', 'accept', 'mute:true', 'digits:4', 'digits:#', 'disconnect']);
  });

  it('rejects a ringing call, dials out to a number, and refreshes its token before expiry', async () => {
    const { page } = await deskWithFakeDevice(app);
    const phone = page.getByTestId('softphone');
    await phone.getByTestId('softphone-status').filter({ hasText: 'Ready' }).waitFor();

    await page.evaluate(() => (window as any).__fakeVoice.ring('+15551230002'));
    await phone.getByRole('button', { name: 'Reject call' }).click();
    await phone.getByLabel('Number to call').waitFor();
    // A call the caller hangs up while ringing also clears the panel.
    await page.evaluate(() => (window as any).__fakeVoice.ring('+15551230003'));
    await phone.getByText('Incoming call…').waitFor();
    await page.evaluate(() => (window as any).__fakeVoice.last().emit('cancel'));
    await phone.getByLabel('Number to call').waitFor();

    await phone.getByLabel('Number to call').fill('+15551239999');
    await phone.getByRole('button', { name: 'Call' }).click();
    await phone.getByText('In call').waitFor();
    // Transfer needs a conversation; a bare outbound dial has none.
    expect(await phone.getByRole('button', { name: 'Transfer' }).isDisabled()).toBe(true);
    await phone.getByRole('button', { name: 'Hang up' }).click();
    await phone.getByLabel('Number to call').waitFor();

    await page.evaluate(() => (window as any).__fakeVoice.device.emit('tokenWillExpire'));
    await expect.poll(() => page.evaluate(() => (window as any).__fakeVoice.tokens.length)).toBe(2);
    expect(await voiceLog(page)).toEqual(['register', 'reject', 'connect:+15551239999', 'disconnect', 'updateToken']);
  });

  it('says clearly when the microphone is blocked', async () => {
    const { page } = await deskWithFakeDevice(app);
    const phone = page.getByTestId('softphone');
    await phone.getByTestId('softphone-status').filter({ hasText: 'Ready' }).waitFor();
    await page.evaluate(() => (window as any).__fakeVoice.device.emit('error', { code: 31401, message: 'Permission denied' }));
    await phone.getByRole('alert').filter({ hasText: 'Microphone blocked' }).waitFor();
    await screenshot(page, 'softphone-error');
    await phone.getByRole('button', { name: 'Dismiss error' }).click();
    expect(await phone.getByRole('alert').count()).toBe(0);
  });

  it('without Twilio API keys, says voice is not configured and never builds a Device', async () => {
    const { page } = await deskWithFakeDevice(plain);
    const phone = page.getByTestId('softphone');
    await phone.getByTestId('softphone-status').filter({ hasText: 'Not configured' }).waitFor();
    expect(await phone.getByTestId('softphone-note').textContent()).toMatch(/not configured/);
    expect(await page.evaluate(() => (window as any).__fakeVoice.device)).toBeNull();
  });
});
