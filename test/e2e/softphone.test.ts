import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { ingestInbound } from '../../src/core/conversations/ingest-inbound.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, HOTLINE, startTestApp, type TestApp } from '../helpers/harness.js';
import { chromiumAvailable, logIn, screenshot } from './browser.js';
import { browserSuite } from './browser-suite.js';

/**
 * The softphone's state machine in a real browser, with the Voice SDK's Device
 * replaced at its boundary (window.__switchboardDeviceFactory): the SDK cannot
 * reach Twilio from here. The token comes from Switchboard's GET /api/voice/token.
 */
const PASSWORD = 'agent-password-1';
const VOICE_ENV = {
  TWILIO_API_KEY: 'SK' + '1'.repeat(32),
  TWILIO_API_SECRET: 'test-api-secret-0123456789',
  TWILIO_TWIML_APP_SID: 'AP' + '2'.repeat(32),
};
const e2e = browserSuite('e2e-phone', { env: VOICE_ENV, page: { fakeDevice: true, timeout: 10_000 } });
/** A second app with no voice configured. */
let plain: TestApp;

async function deskWithFakeDevice(target: TestApp): Promise<{ page: Page; agent: { id: string; token: string; email: string } }> {
  const agent = await target.agent({ name: 'Vic Voice', queues: ['donor'], available: false });
  const page = await e2e.newPage();
  await logIn(page, target.url, agent.email, PASSWORD);
  return { page, agent };
}

const voiceLog = (page: Page) => page.evaluate(() => (window as any).__fakeVoice.log as string[]);

beforeAll(async () => {
  if (!e2e.started) return;
  plain = await startTestApp('e2e-novoice');
  // Outbound calls go out from a hotline: the phone inbox the contract's default number maps to.
  const inbox = await e2e.app.api('POST', '/api/inboxes', { kind: 'phone', address: HOTLINE, queue: 'donor' });
  expect(inbox.status).toBe(201);
}, 120_000);
afterAll(async () => {
  await plain?.stop();
});

describe.runIf(chromiumAvailable())('the softphone', () => {
  it('registers, rings, answers, mutes, sends digits and hangs up', async () => {
    const { page, agent } = await deskWithFakeDevice(e2e.app);
    const phone = page.getByTestId('softphone');
    await phone.getByTestId('softphone-status').filter({ hasText: 'Ready' }).waitFor();
    expect(await voiceLog(page)).toContain('register');
    // The Device got a real access token from GET /api/voice/token (a JWT for this agent).
    const tokens: string[] = await page.evaluate(() => (window as any).__fakeVoice.tokens);
    expect(tokens).toHaveLength(1);
    expect(JSON.parse(Buffer.from(tokens[0].split('.')[1], 'base64url').toString()).grants.identity).toBe(agent.id);

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
    await screenshot(page, 'softphone-in-call', { docs: true });

    await phone.getByRole('button', { name: 'Hang up' }).click();
    await phone.getByTestId('last-call').waitFor();
    expect(await voiceLog(page)).toEqual(['register', 'accept', 'mute:true', 'digits:4', 'digits:#', 'disconnect']);
  });

  it('rejects a ringing call, calls a number out through Switchboard, holds, and refreshes its token before expiry', async () => {
    const { page } = await deskWithFakeDevice(e2e.app);
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

    // Outbound: Switchboard asks Twilio to call the number, then rings this softphone into the conference.
    await phone.getByLabel('Number to call').fill('+1 (415) 555-0199');
    await phone.getByRole('button', { name: 'Call' }).click();
    await phone.getByText('Calling…').waitFor();
    const placed = await eventually(() => e2e.app.twilio.requests.find((r) => r.params.To === '+14155550199'));
    expect(placed?.params.From).toBe(HOTLINE);
    await eventually(() => e2e.app.twilio.requests.find((r) => /^client:/.test(r.params.To ?? '')));
    await page.evaluate(() => (window as any).__fakeVoice.ring('+15005550006'));
    await phone.getByText('In call').waitFor();
    expect(await phone.getByTestId('call').textContent()).toContain('+14155550199');

    // Hold and resume go through the voice API (the contact hears hold music in the conference).
    await phone.getByRole('button', { name: 'Hold' }).click();
    await phone.getByText('On hold').waitFor();
    await phone.getByRole('button', { name: 'Resume' }).click();
    await phone.getByText('In call').waitFor();
    expect(await phone.getByRole('alert').count()).toBe(0);
    expect(await phone.getByRole('button', { name: 'Transfer' }).isEnabled()).toBe(true);
    await phone.getByRole('button', { name: 'Hang up' }).click();
    await phone.getByLabel('Number to call').waitFor();

    await page.evaluate(() => (window as any).__fakeVoice.device.emit('tokenWillExpire'));
    await expect.poll(() => page.evaluate(() => (window as any).__fakeVoice.tokens.length)).toBe(2);
    expect(await voiceLog(page)).toEqual(['register', 'reject', 'accept', 'disconnect', 'updateToken']);
  });

  it('accepting a call offer answers the leg Switchboard rings into the softphone', async () => {
    const { page, agent } = await deskWithFakeDevice(e2e.app);
    const phone = page.getByTestId('softphone');
    await phone.getByTestId('softphone-status').filter({ hasText: 'Ready' }).waitFor();
    await page.getByRole('group', { name: 'My presence' }).getByRole('button', { name: 'Available' }).click();
    await expect
      .poll(async () => (await e2e.app.api('GET', '/api/agents')).body.agents.find((a: any) => a.id === agent.id)?.presence)
      .toBe('available');

    const caller = '+15551230077';
    const r = await ingestInbound(e2e.app.sb.deps, {
      channel: 'voice',
      externalId: 'CA' + randomBytes(16).toString('hex'),
      from: { kind: 'phone', value: caller },
      inboxAddress: HOTLINE,
      threadKey: 'CA' + randomBytes(8).toString('hex'),
      body: 'Incoming call',
      metadata: { kind: 'call' },
    });
    const conversationId = (r as { conversation: { id: string } }).conversation.id;
    const offer = page.getByTestId('offer');
    await offer.getByText('Incoming call').waitFor();
    await offer.getByRole('button', { name: /Accept/ }).click();
    await expect
      .poll(async () => (await e2e.app.api('GET', `/api/conversations/${conversationId}`)).body.conversation.status)
      .toBe('assigned');

    // Twilio rings the agent's client (from the hotline); the desk answers it and shows the caller.
    await page.evaluate(() => (window as any).__fakeVoice.ring('+15005550006'));
    await phone.getByText('In call').waitFor();
    expect(await phone.getByTestId('call').textContent()).toContain(caller);
    expect(await phone.getByRole('button', { name: 'Transfer' }).isEnabled()).toBe(true);
    expect(await voiceLog(page)).toEqual(['register', 'accept']);
    await phone.getByRole('button', { name: 'Hang up' }).click();
  });

  it('says clearly when the microphone is blocked', async () => {
    const { page } = await deskWithFakeDevice(e2e.app);
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
    expect((await plain.api('GET', '/api/voice/token')).status).toBe(503);
    expect(await page.evaluate(() => (window as any).__fakeVoice.device)).toBeNull();
  });
});
