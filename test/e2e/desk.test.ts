import { describe, expect, it } from 'vitest';
import { eventually, HOTLINE, randomPhone } from '../helpers/harness.js';
import { chromiumAvailable, logIn, screenshot } from './browser.js';
import { browserSuite } from './browser-suite.js';

const PASSWORD = 'agent-password-1';
const e2e = browserSuite('e2e-desk');
const { newPage } = e2e;

describe.runIf(chromiumAvailable())('the agent desk in a browser', () => {
  it('a donor texts, the agent accepts the offer and replies by SMS, the supervisor sees the queue move', async () => {
    const dana = await e2e.app.agent({ name: 'Dana Reyes', queues: ['donor'], available: false });
    const sam = await e2e.app.agent({ name: 'Sam Supervisor', queues: ['donor', 'volunteer'], role: 'supervisor', available: false });

    // The supervisor watches the wallboard.
    const wall = await newPage();
    await logIn(wall, e2e.app.url, sam.email, PASSWORD, '/wallboard');
    const donorWaiting = wall.getByTestId('queue-donor-waiting');
    await expect.poll(() => donorWaiting.textContent(), { timeout: 10_000 }).toBe('0');

    // Dana logs in and becomes available.
    const desk = await newPage();
    await logIn(desk, e2e.app.url, dana.email, PASSWORD);
    await screenshot(desk, 'flow-desk-empty');
    await desk.getByRole('group', { name: 'My presence' }).getByRole('button', { name: 'Available' }).click();
    await expect
      .poll(async () => (await e2e.app.api('GET', '/api/agents')).body.agents.find((a: any) => a.id === dana.id)?.presence)
      .toBe('available');

    // A signed SMS arrives; the offer pops up with contact, channel, queue and a countdown.
    const donor = randomPhone();
    const inbound = await e2e.app.sms(donor, 'Hi, I want to change my monthly donation');
    expect(inbound.status).toBe(200);
    const offer = desk.getByTestId('offer');
    await offer.waitFor({ timeout: 15_000 });
    expect(await offer.textContent()).toContain(donor);
    expect(await offer.textContent()).toContain('queue: donor');
    expect(await offer.getByLabel(/seconds left/).textContent()).toMatch(/^\d+s$/);
    await screenshot(desk, 'flow-offer');

    // The wallboard counts the contact waiting for an agent.
    await expect.poll(() => donorWaiting.textContent(), { timeout: 10_000 }).toBe('1');
    await screenshot(wall, 'flow-wallboard-waiting');

    // Accept with the keyboard shortcut; the conversation opens with the text.
    await desk.keyboard.press('Alt+KeyA');
    await offer.waitFor({ state: 'detached' });
    const timeline = desk.getByRole('log', { name: 'Messages' });
    await timeline.getByText('Hi, I want to change my monthly donation').waitFor();
    await expect
      .poll(async () =>
        (await e2e.app.api('GET', '/api/conversations?status=assigned&queue=donor')).body.conversations.some(
          (c: any) => c.assigneeId === dana.id,
        ),
      )
      .toBe(true);

    // Reply: Alt+R focuses the composer, a canned response fills it, Ctrl+Enter sends it as an SMS.
    await desk.keyboard.press('Alt+KeyR');
    await desk.getByLabel('Canned response').selectOption({ label: 'Looking into it' });
    await expect.poll(() => desk.locator('#composer').inputValue()).toBe('Thanks, there. Give me a moment while I look into this for you.');
    await desk.locator('#composer').fill('Sure, I can help with that. Which plan are you on?');
    await desk.keyboard.press('Control+Enter');
    const sent = await eventually(
      () => e2e.app.twilio.messages().find((m) => m.Body === 'Sure, I can help with that. Which plan are you on?'),
      { timeout: 15_000 },
    );
    expect(sent).toMatchObject({ To: donor, From: HOTLINE });
    await timeline.getByText('Sure, I can help with that. Which plan are you on?').waitFor();

    // The donor answers; it arrives live in the open conversation.
    await e2e.app.sms(donor, 'The $25 plan, please make it $40');
    await timeline.getByText('The $25 plan, please make it $40').waitFor({ timeout: 10_000 });

    // An internal note is styled apart and sends nothing.
    const before = e2e.app.twilio.messages().length;
    await desk.getByRole('tab', { name: 'Internal note' }).click();
    await desk.locator('#composer').fill('Donor asked to move from $25 to $40 monthly');
    await desk.getByRole('button', { name: 'Add note' }).click();
    await desk.getByTestId('note').filter({ hasText: 'Donor asked to move' }).waitFor();
    expect(e2e.app.twilio.messages().length).toBe(before);

    // The contact panel shows the phone identity.
    await desk.getByRole('region', { name: 'Contact' }).getByText(donor).waitFor();
    await screenshot(desk, 'flow-conversation');

    // The supervisor sees the queue empty again and Dana working on an SMS.
    await expect.poll(() => donorWaiting.textContent(), { timeout: 10_000 }).toBe('0');
    await wall.getByTestId('agent-row').filter({ hasText: 'Dana Reyes' }).locator('.load-chip').waitFor({ timeout: 10_000 });
    await screenshot(wall, 'flow-wallboard');

    // Resolve with a disposition and a wrap-up note (Alt+S).
    await desk.keyboard.press('Alt+KeyS');
    const dialog = desk.getByRole('dialog', { name: 'Resolve conversation' });
    await dialog.getByLabel('Disposition').selectOption('donation-updated');
    await dialog.getByLabel(/Wrap-up note/).fill('Raised to $40');
    await screenshot(desk, 'resolve', { docs: true });
    await dialog.getByRole('button', { name: 'Resolve' }).click();
    await desk.getByText(/This conversation is resolved/).waitFor();
    const conv = (await e2e.app.api('GET', `/api/conversations?status=resolved&queue=donor`)).body.conversations[0];
    expect(conv).toMatchObject({ status: 'resolved', disposition: 'donation-updated', assigneeId: dana.id });
    // The whole shift takes ~25 s on a quiet 2-core box: more than vitest's default 30 s once other suites share it.
  }, 90_000);

  it('the supervisor changes an agent presence from the wallboard', async () => {
    const eli = await e2e.app.agent({ name: 'Eli Park', queues: ['it'], available: true });
    const sue = await e2e.app.agent({ name: 'Sue Lead', queues: [], role: 'supervisor', available: false });
    const wall = await newPage();
    await logIn(wall, e2e.app.url, sue.email, PASSWORD, '/wallboard');
    const select = wall.getByLabel('Presence of Eli Park');
    await expect.poll(() => select.inputValue()).toBe('available');
    await select.selectOption('away');
    await expect
      .poll(async () => (await e2e.app.api('GET', '/api/agents')).body.agents.find((a: any) => a.id === eli.id)?.presence)
      .toBe('away');
  });

  it('a load that fails is shown to the agent, not swallowed', async () => {
    const agent = await e2e.app.agent({ name: 'Olive Offline', queues: ['donor'], available: false });
    const page = await newPage();
    await logIn(page, e2e.app.url, agent.email, PASSWORD);
    await expect.poll(() => page.getByTestId('connection').textContent()).toBe('Live');
    // The network really goes away (no stubbed answer): changing a filter reloads the inbox and fails.
    await page.context().setOffline(true);
    await page.getByLabel('Status').selectOption('resolved');
    const notice = page.getByRole('alert').filter({ hasText: 'Could not load the inbox' });
    await notice.waitFor();
    expect(await notice.textContent()).toContain('Cannot reach Switchboard');
    await screenshot(page, 'notice-offline');
    await page.context().setOffline(false);
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    await notice.waitFor({ state: 'detached' });
  });

  it('a wrong password is refused on the login screen', async () => {
    const page = await newPage();
    await page.goto(e2e.app.url + '/');
    await page.getByRole('heading', { name: 'Sign in to the agent desk' }).waitFor();
    await page.getByLabel('Email').fill('nobody@example.org');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /wrong email or password/i })
      .waitFor();
    await screenshot(page, 'login', { docs: true });
  });
});
