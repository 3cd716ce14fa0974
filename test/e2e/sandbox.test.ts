import { describe, expect, it } from 'vitest';
import { ADMIN, eventually } from '../helpers/harness.js';
import { chromiumAvailable, logIn, screenshot } from './browser.js';
import { browserSuite, NO_VENDOR_ENV } from './browser-suite.js';

/**
 * The sandbox screen in a real browser: an admin texts from the sandbox phone,
 * an agent in another browser context gets the offer, answers, and the answer
 * shows up on the sandbox phone as delivered. No vendor is configured at all.
 */
const e2e = browserSuite('e2e-sandbox', { env: NO_VENDOR_ENV, page: { viewport: { width: 1280, height: 800 }, fakeDevice: true } });
const { newPage } = e2e;

describe.runIf(chromiumAvailable())('the /sandbox screen', () => {
  it(
    'texts from the sandbox phone; an agent in another browser answers; the phone shows the answer delivered',
    { timeout: 120_000 },
    async () => {
      const dana = await e2e.app.agent({ name: 'Dana Reyes', queues: ['donor'], available: false });
      const desk = await newPage();
      await logIn(desk, e2e.app.url, dana.email, 'agent-password-1');
      await desk.getByRole('status').filter({ hasText: 'Sandbox: nothing is sent to real people' }).waitFor();
      // Agents see the banner, not the sandbox itself.
      expect(await desk.getByRole('button', { name: 'Sandbox' }).count()).toBe(0);
      await e2e.app.api('PUT', '/api/me/status', { status: 'available' }, dana.token);

      const admin = await newPage();
      await logIn(admin, e2e.app.url, ADMIN.email, ADMIN.password, '/sandbox');
      const phone = admin.getByRole('region', { name: 'Phone (SMS)' });
      await phone.waitFor();
      await phone.getByLabel('Phone (SMS): message').fill('Hi! Can I change my monthly gift to $40?');
      await phone.getByRole('button', { name: 'Send' }).click();
      await phone.locator('.sbx-bubble-contact').filter({ hasText: 'Hi! Can I change my monthly gift to $40?' }).waitFor();

      const offer = desk.getByTestId('offer');
      await offer.waitFor();
      expect(await offer.textContent()).toContain('+15555550123');
      await offer.getByRole('button', { name: /Accept/ }).click();
      const timeline = desk.getByRole('log', { name: 'Messages' });
      await timeline.getByText('Hi! Can I change my monthly gift to $40?').waitFor();
      await desk.locator('#composer').fill('Of course! I have changed it to $40 from next month.');
      await desk.keyboard.press('Control+Enter');

      const answer = phone.locator('.sbx-bubble-desk').filter({ hasText: 'Of course! I have changed it to $40 from next month.' });
      await answer.waitFor();
      // The simulated delivery reports came back through the status webhook: the phone and the desk both say delivered.
      await answer.filter({ hasText: 'delivered' }).waitFor();
      await eventually(async () => {
        const list = await e2e.app.api('GET', '/api/conversations?status=assigned');
        const c = list.body.conversations[0];
        const full = await e2e.app.api('GET', `/api/conversations/${c.id}`);
        return full.body.messages.some((m: any) => m.direction === 'outbound' && m.status === 'delivered');
      });

      // The other panes: a mail and a Slack message, for the screenshot (and through the real SMTP server and Slack signing).
      const mail = admin.getByRole('region', { name: 'Mail' });
      await mail.getByLabel('Mail: subject').fill('Volunteering in March');
      await mail.getByLabel('Mail: message').fill('Hello, is there room for two more volunteers on March 14?');
      await mail.getByRole('button', { name: 'Send' }).click();
      await mail.locator('.sbx-bubble-contact').filter({ hasText: 'Volunteering in March' }).waitFor();
      const slack = admin.getByRole('region', { name: 'Slack' });
      await slack.getByLabel('Slack: message').fill('My laptop will not start after the update');
      await slack.getByRole('button', { name: 'Send' }).click();
      await slack.locator('.sbx-bubble-contact').filter({ hasText: 'My laptop will not start after the update' }).waitFor();
      await screenshot(admin, 'sandbox', { docs: true });
    },
  );
});
