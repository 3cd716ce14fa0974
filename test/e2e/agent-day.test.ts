import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { randomPhone } from '../helpers/harness.js';
import { chromiumAvailable, logIn, screenshot } from './browser.js';
import { browserSuite } from './browser-suite.js';

/** Issue 20: presence on sign-out, the offer countdown, transfers and other people's conversations. */
const PASSWORD = 'agent-password-1';
const e2e = browserSuite('e2e-agent-day');
const { newPage } = e2e;

const presenceOf = async (id: string) => (await e2e.app.api('GET', '/api/agents')).body.agents.find((a: any) => a.id === id)?.presence;

async function goAvailable(page: Page, id: string) {
  await page.getByRole('group', { name: 'My presence' }).getByRole('button', { name: 'Available' }).click();
  await expect.poll(() => presenceOf(id)).toBe('available');
}

describe.runIf(chromiumAvailable())('an agent’s day in the desk (issue 20)', () => {
  it('signing out sets the agent offline at once; a closed tab falls offline after the short grace period', async () => {
    const leaver = await e2e.app.agent({ name: 'Lena Leaver', queues: ['it'], available: false });
    const page = await newPage();
    await logIn(page, e2e.app.url, leaver.email, PASSWORD);
    await goAvailable(page, leaver.id);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to the agent desk' }).waitFor();
    // At once, not after a grace period: well under a second on a quiet box.
    await expect.poll(() => presenceOf(leaver.id), { timeout: 3000 }).toBe('offline');

    const closer = await e2e.app.agent({ name: 'Carl Closer', queues: ['it'], available: false });
    const tab = await newPage();
    await logIn(tab, e2e.app.url, closer.email, PASSWORD);
    await goAvailable(tab, closer.id);
    const closedAt = Date.now();
    await tab.close();
    await expect.poll(() => presenceOf(closer.id), { timeout: 20_000, interval: 500 }).toBe('offline');
    const seconds = (Date.now() - closedAt) / 1000;
    // PRESENCE_GRACE_SECONDS (10) plus the timer's second; a reload (a few seconds) stays well inside it.
    expect(seconds).toBeLessThan(16);
  }, 60_000);

  it('the offer countdown follows the server’s expiry, not the browser’s clock', async () => {
    const dana = await e2e.app.agent({ name: 'Dana Skewed', queues: ['partner'], available: false });
    // This browser's clock is 5 s behind the server's: counting from local time would show ~35 s.
    const page = await newPage({ clockSkewMs: -5000 });
    await logIn(page, e2e.app.url, dana.email, PASSWORD);
    await goAvailable(page, dana.id);
    await e2e.app.sms(randomPhone(), 'Partner question', { To: await partnerLine() });
    const offer = page.getByTestId('offer');
    await offer.waitFor();
    const shown = Number((await offer.getByLabel(/seconds left/).textContent())?.replace('s', ''));
    expect(shown).toBeLessThanOrEqual(30);
    expect(shown).toBeGreaterThanOrEqual(27);
    await screenshot(page, 'offer-countdown');
    await offer.getByRole('button', { name: 'Decline' }).click();
  }, 60_000);

  it('transfers: any queue, a note the receiver sees, unavailable people shown with the reason, never straight back to the sender', async () => {
    const dora = await e2e.app.agent({ name: 'Dora Donor', queues: ['donor', 'volunteer'], available: false });
    const cora = await e2e.app.agent({ name: 'Cora Crisis', queues: ['crisis'], available: false });
    const oscar = await e2e.app.agent({ name: 'Oscar Offline', queues: ['donor', 'crisis'], available: false });
    const desk = await newPage();
    await logIn(desk, e2e.app.url, dora.email, PASSWORD);
    await goAvailable(desk, dora.id);
    const crisisDesk = await newPage();
    await logIn(crisisDesk, e2e.app.url, cora.email, PASSWORD);
    await goAvailable(crisisDesk, cora.id);

    await e2e.app.sms(randomPhone(), 'Can I change the card for my gift?');
    await desk.getByTestId('offer').waitFor();
    await desk.keyboard.press('Alt+KeyA');
    await desk.getByRole('log', { name: 'Messages' }).getByText('Can I change the card for my gift?').waitFor();

    await desk.getByRole('button', { name: 'Transfer' }).click();
    const dialog = desk.getByRole('dialog', { name: 'Transfer conversation' });
    const select = dialog.getByLabel('Transfer to');
    // Every queue, not only Dora's own.
    await expect.poll(() => select.locator('option[value="queue:crisis"]').count()).toBe(1);
    // Offline people (the bootstrap Administrator too) are listed with why, and cannot be picked.
    const oscarOption = select.locator(`option[value="agent:${oscar.id}"]`);
    expect(await oscarOption.textContent()).toBe('Oscar Offline — Offline');
    expect(await oscarOption.isDisabled()).toBe(true);
    const adminOption = select.locator('option', { hasText: 'Administrator' });
    expect(await adminOption.textContent()).toBe('Administrator — Offline');
    expect(await adminOption.isDisabled()).toBe(true);
    expect(await select.locator(`option[value="agent:${cora.id}"]`).isDisabled()).toBe(false);
    await select.selectOption('queue:crisis');
    await dialog.getByLabel(/Note for the receiver/).fill('Mentions feeling unsafe at home, please take over');
    await screenshot(desk, 'transfer-dialog', { docs: true });
    await dialog.getByRole('button', { name: 'Transfer' }).click();
    await dialog.waitFor({ state: 'detached' });

    // Cora's offer says who sent it and why.
    const offer = crisisDesk.getByTestId('offer');
    await offer.waitFor();
    expect(await offer.getByTestId('offer-transfer').textContent()).toBe(
      'Transferred by Dora Donor: “Mentions feeling unsafe at home, please take over”',
    );
    await screenshot(crisisDesk, 'offer-transferred', { docs: true });
    await crisisDesk.keyboard.press('Alt+KeyA');
    const record = crisisDesk.getByTestId('transfer-record');
    await record.waitFor();
    expect(await record.textContent()).toContain(
      'Transferred to the Crisis response queue: Mentions feeling unsafe at home, please take over',
    );

    // A transfer to another queue Dora serves goes to its other agent, not back to her.
    const sam = await e2e.app.agent({ name: 'Sam Second', queues: ['volunteer'] });
    const samSocket = await e2e.app.socket(sam.token);
    await e2e.app.sms(randomPhone(), 'Where is my receipt?');
    await desk.getByTestId('offer').waitFor();
    await desk
      .getByTestId('offer')
      .getByRole('button', { name: /Accept/ })
      .click();
    await desk.getByRole('log', { name: 'Messages' }).getByText('Where is my receipt?').waitFor();
    await desk.getByRole('button', { name: 'Transfer' }).click();
    await desk.getByRole('dialog', { name: 'Transfer conversation' }).getByLabel('Transfer to').selectOption('queue:volunteer');
    await desk.getByRole('dialog', { name: 'Transfer conversation' }).getByRole('button', { name: 'Transfer' }).click();
    const toSam = await samSocket.waitFor('reservation.created', (p) => p.transfer?.by.id === dora.id);
    expect(toSam.queue).toBe('volunteer');
    await new Promise((r) => setTimeout(r, 1000));
    expect(await desk.getByTestId('offer').count()).toBe(0);
  }, 90_000);
});

let partnerNumber: string | null = null;
/** A hotline number whose texts wait in `partner`. */
async function partnerLine() {
  if (partnerNumber) return partnerNumber;
  partnerNumber = '+15005550199';
  const r = await e2e.app.api('POST', '/api/inboxes', { kind: 'phone', address: partnerNumber, queue: 'partner' });
  expect(r.status).toBe(201);
  return partnerNumber;
}
