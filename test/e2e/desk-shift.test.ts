import type { Locator, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { randomPhone } from '../helpers/harness.js';
import { chromiumAvailable, logIn, screenshot } from './browser.js';
import { browserSuite } from './browser-suite.js';

/**
 * Issue 20's agent's day, items 2, 3, 6, 7, 8, 12 and 14: what a shift in the
 * desk ran into (offers piling up, drafts lost, the wrap-up note vanishing,
 * right-to-left texts, SMS length, a 1024 px screen, the composer's mode).
 */
const PASSWORD = 'agent-password-1';
const e2e = browserSuite('e2e-desk-shift');
const { newPage } = e2e;
const tokens: string[] = [];

/** An agent signed in to the desk and available (set through the API once the desk listens). */
async function agentAtDesk(name: string, opts: { capacity?: Record<string, number>; viewport?: { width: number; height: number } } = {}) {
  const agent = await e2e.app.agent({ name, queues: ['donor'], available: false, capacity: opts.capacity });
  tokens.push(agent.token);
  const page = await newPage({ viewport: opts.viewport });
  await logIn(page, e2e.app.url, agent.email, PASSWORD);
  expect((await e2e.app.api('PUT', '/api/me/status', { status: 'available' }, agent.token)).status).toBe(200);
  return { ...agent, page };
}

/** A donor texts in and the agent at `page` accepts the offer with Alt+A; resolves to the donor's number. */
async function textAndAccept(page: Page, body: string, from = randomPhone()) {
  await e2e.app.sms(from, body);
  const offer = page.getByTestId('offer').filter({ hasText: from });
  await offer.waitFor();
  await page.keyboard.press('Alt+KeyA');
  await offer.waitFor({ state: 'detached' });
  await page.getByRole('log', { name: 'Messages' }).getByText(body).waitFor();
  return from;
}

const overlaps = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function box(l: Locator) {
  const b = await l.boundingBox();
  if (!b) throw new Error('not on screen');
  return b;
}

const direction = (l: Locator) => l.evaluate((el) => getComputedStyle(el).direction);

// Each test starts on an empty donor queue: earlier agents go offline, earlier conversations are closed.
afterEach(async () => {
  if (!e2e.started) return;
  await e2e.closePages();
  for (const t of tokens.splice(0)) await e2e.app.api('PUT', '/api/me/status', { status: 'offline' }, t);
  const open = (await e2e.app.api('GET', '/api/conversations?status=open&limit=100')).body.conversations as { id: string }[];
  for (const c of open) await e2e.app.api('POST', `/api/conversations/${c.id}/resolve`, {});
});
describe.runIf(chromiumAvailable())("an agent's shift in the desk (issue 20)", () => {
  it('four offers at 1280×720: each shows the text and can be answered, none covers Send or Resolve', async () => {
    const { page } = await agentAtDesk('Ona Offers', { capacity: { sms: 8, email: 1, slack: 1, voice: 1 } });
    await textAndAccept(page, 'First one, already being answered');

    const texts = [
      'Can I change the card my monthly gift comes from?',
      'Where do I send the Gift Aid form?',
      'I was charged twice this month, please help',
      'Do you have a receipt for my December donation?',
    ];
    for (const t of texts) await e2e.app.sms(randomPhone(), t);
    const offers = page.getByTestId('offer');
    await expect.poll(() => offers.count()).toBe(4);
    await page.getByTestId('offer-count').filter({ hasText: '4 offers waiting' }).waitFor();

    const send = await box(page.getByRole('button', { name: /^Send/ }));
    const resolve = await box(page.getByRole('button', { name: 'Resolve', exact: true }));
    for (let i = 0; i < 4; i++) {
      const offer = offers.nth(i);
      expect(await offer.getByTestId('offer-preview').textContent()).toBe(texts[i]);
      const accept = offer.getByRole('button', { name: /^Accept/ });
      await accept.scrollIntoViewIfNeeded();
      const b = await box(accept);
      expect(b.y).toBeGreaterThanOrEqual(0);
      expect(b.y + b.height).toBeLessThanOrEqual(720);
      // Whatever is scrolled into view, the stack stays off the composer's and the header's buttons.
      const stack = await box(page.getByRole('region', { name: 'Offers' }));
      expect(overlaps(stack, send)).toBe(false);
      expect(overlaps(stack, resolve)).toBe(false);
    }
    await offers.nth(0).scrollIntoViewIfNeeded();
    await screenshot(page, 'desk-offers', { docs: true });

    // The last one is answered by clicking, not only by Alt+A.
    await offers
      .nth(3)
      .getByRole('button', { name: /^Accept/ })
      .click();
    await page.getByRole('log', { name: 'Messages' }).getByText(texts[3]).waitFor();
    await expect.poll(() => offers.count()).toBe(3);
  }, 90_000);

  it('a draft is kept per conversation: back from another conversation, after Alt+A on an offer, after a reload', async () => {
    const { page } = await agentAtDesk('Dee Drafts');
    const first = await textAndAccept(page, 'Hello, question about my standing order');
    const composer = page.locator('#composer');
    await composer.fill('Half-written answer about the standing order');

    // Accepting a new offer with Alt+A opens the new conversation, with an empty composer.
    await textAndAccept(page, 'A second donor writes in');
    await expect.poll(() => composer.inputValue()).toBe('');
    await composer.fill('Reply to the second donor');

    const items = page.getByTestId('conversation-item');
    await items.filter({ hasText: first }).click();
    await expect.poll(() => composer.inputValue()).toBe('Half-written answer about the standing order');

    await page.reload();
    await page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
    await items.filter({ hasText: first }).click();
    await expect.poll(() => composer.inputValue()).toBe('Half-written answer about the standing order');

    // Sent, the draft is gone.
    await composer.press('Control+Enter');
    await page.getByRole('log', { name: 'Messages' }).getByText('Half-written answer about the standing order').waitFor();
    await expect.poll(() => composer.inputValue()).toBe('');
    await items.nth(1).click();
    await items.filter({ hasText: first }).click();
    await expect.poll(() => composer.inputValue()).toBe('');
  }, 90_000);

  it('after a note the composer is back on Reply; resolving shows the disposition label and the wrap-up note', async () => {
    const created = await e2e.app.api('POST', '/api/dispositions', { code: 'gift-aid-explained', label: 'Gift Aid explained' });
    expect(created.status).toBe(201);
    const { page, token } = await agentAtDesk('Wren Wrapup');
    await textAndAccept(page, 'What is Gift Aid?');

    await page.getByRole('tab', { name: 'Internal note' }).click();
    await page.locator('#composer').fill('Explained by phone earlier');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByTestId('note').filter({ hasText: 'Explained by phone earlier' }).waitFor();
    await expect.poll(() => page.getByRole('tab', { name: 'Reply' }).getAttribute('aria-selected')).toBe('true');
    await page.getByRole('button', { name: /^Send SMS/ }).waitFor();

    await page.keyboard.press('Alt+KeyS');
    const dialog = page.getByRole('dialog', { name: 'Resolve conversation' });
    await dialog.getByLabel('Disposition').selectOption('gift-aid-explained');
    await dialog.getByLabel(/Wrap-up note/).fill('Sent the Gift Aid form by post');
    await dialog.getByRole('button', { name: 'Resolve' }).click();

    const wrapUp = page.getByTestId('wrap-up');
    await wrapUp.filter({ hasText: 'Sent the Gift Aid form by post' }).waitFor();
    expect(await wrapUp.textContent()).toContain('Gift Aid explained');
    expect(await page.getByTestId('disposition').textContent()).toBe('Gift Aid explained');
    await screenshot(page, 'desk-wrap-up', { docs: true });
    const resolved = (await e2e.app.api('GET', '/api/conversations?status=resolved&mine=true', undefined, token)).body.conversations[0];
    const detail = (await e2e.app.api('GET', `/api/conversations/${resolved.id}`, undefined, token)).body.conversation;
    expect(detail).toMatchObject({
      disposition: 'gift-aid-explained',
      dispositionLabel: 'Gift Aid explained',
      wrapUpNote: 'Sent the Gift Aid form by post',
    });

    // The same after a reload (from the API, not the desk's memory).
    await page.reload();
    await page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
    await page.getByLabel('Status').selectOption('resolved');
    await page.getByTestId('conversation-item').first().click();
    await wrapUp.filter({ hasText: 'Sent the Gift Aid form by post' }).waitFor();
    expect(await page.getByTestId('disposition').textContent()).toBe('Gift Aid explained');
  }, 90_000);

  it('right-to-left texts and names run right to left: offer, bubble, composer, contact name', async () => {
    const { page } = await agentAtDesk('Rami Rtl');
    const hebrew = 'שלום, אני רוצה לשנות את התרומה החודשית שלי';
    const from = randomPhone();
    await e2e.app.sms(from, hebrew);
    const preview = page.getByTestId('offer-preview');
    await preview.waitFor();
    expect(await direction(preview)).toBe('rtl');
    await page.keyboard.press('Alt+KeyA');
    const bubble = page.getByRole('log', { name: 'Messages' }).locator('.msg-body').filter({ hasText: hebrew });
    await bubble.waitFor();
    expect(await direction(bubble)).toBe('rtl');
    // An English reply in the same conversation stays left to right.
    const composer = page.locator('#composer');
    await composer.fill('مرحبا، كيف يمكنني المساعدة؟');
    expect(await direction(composer)).toBe('rtl');
    await composer.fill('Hello, how can I help?');
    expect(await direction(composer)).toBe('ltr');

    // An SMS contact is only a number until named from the contact panel; the name shows everywhere at once.
    const panel = page.getByRole('region', { name: 'Contact' });
    await panel.getByText('Unnamed contact').waitFor();
    await panel.getByRole('button', { name: 'Name this contact' }).click();
    await panel.getByLabel('Name').fill('דנה לוי');
    await panel.getByRole('button', { name: 'Save' }).click();
    const title = page.locator('.conv-title bdi');
    await expect.poll(() => title.textContent()).toBe('דנה לוי');
    expect(await direction(title)).toBe('rtl');
    await page.getByTestId('conversation-item').filter({ hasText: 'דנה לוי' }).waitFor();
    expect(await direction(panel.locator('.contact-name'))).toBe('rtl');
    await screenshot(page, 'desk-rtl', { docs: true });
  }, 90_000);

  it('SMS segments are counted as carriers do, and a body over 1,600 characters is refused in the desk and the API', async () => {
    const { page, token } = await agentAtDesk('Sid Segments');
    await textAndAccept(page, 'How long can a text be?');
    const composer = page.locator('#composer');
    const count = page.getByTestId('sms-count');

    await composer.fill('a'.repeat(160));
    await expect.poll(() => count.textContent()).toBe('160/1600 characters, 1 SMS');
    await composer.fill('a'.repeat(161));
    await expect.poll(() => count.textContent()).toBe('161/1600 characters, 2 SMS');
    // 70 emoji: UCS-2, two code units each, 67 per part once split.
    await composer.fill('😀'.repeat(70));
    await expect.poll(() => count.textContent()).toBe('140/1600 characters, 3 SMS');

    await composer.fill('x'.repeat(2000));
    const tooLong = page.getByTestId('sms-too-long');
    await tooLong.waitFor();
    expect(await tooLong.textContent()).toContain('2000 characters, at most 1600');
    expect(await page.getByRole('button', { name: /^Send SMS/ }).isDisabled()).toBe(true);
    await page.keyboard.press('Control+Enter');
    await screenshot(page, 'desk-sms-too-long', { docs: true });

    // The API refuses it too, with a clear reason, and Twilio never sees it.
    const conv = (await e2e.app.api('GET', '/api/conversations?status=assigned&mine=true', undefined, token)).body.conversations[0];
    const before = e2e.app.twilio.messages().length;
    const r = await e2e.app.api('POST', `/api/conversations/${conv.id}/messages`, { body: 'x'.repeat(2000) }, token);
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('at most 1600 characters; this one has 2000');
    // A note may be long: it is sent nowhere.
    expect(
      (await e2e.app.api('POST', `/api/conversations/${conv.id}/messages`, { body: 'x'.repeat(2000), internal: true }, token)).status,
    ).toBe(201);
    await new Promise((r) => setTimeout(r, 300));
    expect(e2e.app.twilio.messages().length).toBe(before);
  }, 90_000);

  it('1024×700: the wallboard keeps every queue column and the conversation header stays compact', async () => {
    const { page } = await agentAtDesk('Nia Narrow', { viewport: { width: 1024, height: 700 } });
    await textAndAccept(page, 'Hi, small screen here');
    const header = page.locator('.conv-header');
    await screenshot(page, 'desk-1024', { docs: true });
    // Title, one line of facts and the request controls: not five wrapped lines.
    expect((await box(header)).height).toBeLessThanOrEqual(120);
    for (const name of ['Transfer', 'Resolve']) {
      const b = await box(header.getByRole('button', { name, exact: true }));
      expect(b.x + b.width).toBeLessThanOrEqual(1024);
    }
    const send = await box(page.getByRole('button', { name: /^Send/ }));
    expect(send.x + send.width).toBeLessThanOrEqual(1024);
    // The number is whole in the inbox and the contact panel (not cut to "+155568…").
    for (const el of [
      page.getByTestId('conversation-item').locator('.conv-name'),
      page.getByRole('region', { name: 'Contact' }).locator('.id-value'),
    ])
      expect(await el.first().evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);

    const sup = await e2e.app.agent({ name: 'Sol Narrow', queues: ['donor'], role: 'supervisor', available: false });
    const wall = await newPage({ viewport: { width: 1024, height: 700 } });
    await logIn(wall, e2e.app.url, sup.email, PASSWORD, '/wallboard');
    const table = wall.getByTestId('queues-table');
    await table.waitFor();
    await screenshot(wall, 'wallboard-1024', { docs: true });
    const headers = table.locator('thead th');
    expect(await headers.count()).toBe(9);
    // Every column can be read: on screen, or by scrolling the table's own box sideways.
    for (let i = 0; i < 9; i++) {
      const th = headers.nth(i);
      await th.scrollIntoViewIfNeeded();
      const b = await box(th);
      expect(b.x).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width).toBeLessThanOrEqual(1024);
      expect(await th.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
    }
  }, 90_000);
});
