import { readFileSync } from 'node:fs';
import type { Response } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { storeVoicemail } from '../../src/core/calls/store-voicemail.js';
import { eventually, HOTLINE, randomPhone, TWILIO_ACCOUNT_SID } from '../helpers/harness.js';
import { inboundMail, type Mx } from '../helpers/inbound-mail.js';
import { callSid, recordingSid } from '../voice-helpers.js';
import { chromiumAvailable, logIn, screenshot } from './browser.js';
import { browserSuite } from './browser-suite.js';

const DOMAIN = 'help.example.org';
let mx: Mx;
const e2e = browserSuite('e2e-files', {
  env: async () => {
    const mail = await inboundMail(DOMAIN);
    mx = mail.mx;
    return mail.env;
  },
  page: { viewport: { width: 1280, height: 800 }, context: { acceptDownloads: true } },
});
const caller = randomPhone();

beforeAll(async () => {
  if (!e2e.started) return;
  await mx.sendMail({
    envelope: { from: 'alex.kim@example.net', to: [`it@${DOMAIN}`] },
    raw: readFileSync(new URL('../fixtures/email/attachments.eml', import.meta.url)),
  });
  mx.close();
  const sid = recordingSid();
  await storeVoicemail(e2e.app.sb.deps, {
    callSid: callSid(),
    from: caller,
    to: HOTLINE,
    flow: 'main',
    lang: 'en',
    recordingSid: sid,
    mediaUrl: `https://api.twilio.com/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Recordings/${sid}.mp3`,
    durationSeconds: 3,
  });
}, 120_000);

describe.runIf(chromiumAvailable())('files in the desk', () => {
  it('shows an image thumbnail, downloads an attachment by clicking it, and plays a voicemail with seeking', async () => {
    const agent = await e2e.app.agent({ name: 'Fay Files', queues: ['it', 'donor'], available: false });
    await eventually(async () => (await e2e.app.api('GET', '/api/conversations?queue=it')).body.conversations.length > 0 || null);
    const page = await e2e.newPage();
    const ctx = page.context();
    await logIn(page, e2e.app.url, agent.email, 'agent-password-1');
    const inbox = page.getByRole('navigation', { name: 'Inbox' });
    await inbox.getByRole('tab', { name: /queues/i }).click();
    await inbox.getByTestId('conversation-item').filter({ hasText: 'Alex Kim' }).click();

    // The image shows inline, fetched through its signed link (no bearer token on an <img>).
    const timeline = page.getByRole('log', { name: 'Messages' });
    const thumb = timeline.locator('img.thumb');
    await thumb.waitFor();
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
    const pdf = timeline.getByTestId('attachment').filter({ hasText: 'réport.pdf' });
    expect(await pdf.locator('..').textContent()).toMatch(/réport\.pdf\s*69 bytes/);
    await screenshot(page, 'desk-attachments', { docs: true });

    // Clicking the attachment downloads it: 200, the file's bytes.
    const served = ctx.waitForEvent(
      'response',
      (r: Response) => r.url().includes('/api/files/attachment/') && r.request().resourceType() !== 'image',
    );
    await pdf.click();
    const res = await served;
    expect(res.status()).toBe(200);
    expect(res.headers()['content-disposition']).toMatch(/^attachment;.*r%C3%A9port\.pdf/);
    expect(res.headers()['content-type']).toBe('application/pdf');

    // The voicemail plays from our proxy: the <audio> element loads the recording's duration and seeks with a Range request.
    await page.bringToFront();
    await inbox.getByTestId('conversation-item').filter({ hasText: caller }).click();
    const player = page.getByRole('log', { name: 'Messages' }).locator('audio.recording');
    await player.waitFor();
    expect(await player.getAttribute('src')).toMatch(/^\/api\/files\/recording\/[0-9a-f-]{36}\?expires=\d+&signature=/);
    const duration = await player.evaluate(
      (a: HTMLAudioElement) =>
        new Promise<number>((resolve, reject) => {
          if (a.readyState >= 1) return resolve(a.duration);
          a.addEventListener('loadedmetadata', () => resolve(a.duration), { once: true });
          a.addEventListener('error', () => reject(new Error(`audio error ${a.error?.code}`)), { once: true });
          a.load();
        }),
    );
    expect(duration).toBeGreaterThan(2.5);
    expect(duration).toBeLessThan(3.5);
    await player.click();
    await player.evaluate(async (a: HTMLAudioElement) => {
      a.currentTime = 2;
      await a.play().catch(() => {});
    });
    await expect.poll(() => e2e.app.twilio.rangesServed.length).toBeGreaterThan(0);
    expect(await player.evaluate((a: HTMLAudioElement) => a.error)).toBeNull();
    await screenshot(page, 'desk-voicemail-player', { docs: true });
  });
});
