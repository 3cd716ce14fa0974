import { describe, expect, it } from 'vitest';
import { randomPhone } from '../helpers/harness.js';
import { chromiumAvailable, logIn, screenshot } from './browser.js';
import { browserSuite } from './browser-suite.js';

/** Issue 20 item 9: someone else's conversation says whose it is and offers only what the server allows. */
const PASSWORD = 'agent-password-1';
const e2e = browserSuite('e2e-not-mine');
const { newPage } = e2e;

describe.runIf(chromiumAvailable())('a conversation that is not mine (issue 20, item 9)', () => {
  it('shows the owner, disables Reply, Transfer and Resolve, and still takes an internal note', async () => {
    const maria = await e2e.app.agent({ name: 'Maria Lopez', queues: ['donor'] });
    const alex = await e2e.app.agent({ name: 'Alex Other', queues: ['donor'], available: false });
    // Maria is offered the text and accepts it.
    const sock = await e2e.app.socket(maria.token);
    const from = randomPhone();
    await e2e.app.sms(from, 'Is my monthly gift still active?');
    const offer = await sock.waitFor('reservation.created', (p) => p.contact.address === from);
    expect((await e2e.app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, maria.token)).status).toBe(200);
    sock.close();
    // Maria away, a second text waits in the queue with nobody to take it.
    expect((await e2e.app.api('PUT', '/api/me/status', { status: 'away' }, maria.token)).status).toBe(200);
    const waitingFrom = randomPhone();
    await e2e.app.sms(waitingFrom, 'Who do I ask about a bequest?');

    const page = await newPage();
    await logIn(page, e2e.app.url, alex.email, PASSWORD);
    await page.getByRole('tab', { name: 'My queues' }).click();
    // Rows name the contact: an unnamed texter by number.
    const row = (phone: string) => page.getByTestId('conversation-item').filter({ hasText: phone.slice(-4) });
    await row(from).click();
    await page.getByRole('log', { name: 'Messages' }).getByText('Is my monthly gift still active?').waitFor();

    expect(await page.getByTestId('conv-owner').textContent()).toBe('Assigned to Maria Lopez');
    const composer = page.getByRole('form', { name: 'Reply' });
    const reply = page.getByRole('tab', { name: 'Reply' });
    expect(await reply.isDisabled()).toBe(true);
    expect(await reply.getAttribute('title')).toMatch(/Add an internal note instead/);
    expect(await page.getByRole('tab', { name: 'Internal note' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.getByRole('button', { name: /^Send/ }).count()).toBe(0);
    const transfer = page.getByRole('button', { name: 'Transfer' });
    const resolve = page.getByRole('button', { name: 'Resolve' });
    expect(await transfer.isDisabled()).toBe(true);
    expect(await resolve.isDisabled()).toBe(true);
    expect(await resolve.getAttribute('title')).toMatch(/or a supervisor, can resolve it/);
    // Alt+S does not open a dialog the server would refuse.
    await page.keyboard.press('Alt+KeyS');
    expect(await page.getByRole('dialog').count()).toBe(0);

    // A note is what Alex can add, and it lands.
    await page.getByLabel('Internal note', { exact: true }).fill('Maria, the donor called about this too.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByRole('log', { name: 'Messages' }).getByText('Maria, the donor called about this too.').waitFor();
    expect(await composer.getByRole('alert').count()).toBe(0);
    await screenshot(page, 'conversation-not-mine', { docs: true });

    // Unassigned and waiting: Alex may hand it on (as the server allows), not resolve it.
    await row(waitingFrom).click();
    await page.getByRole('log', { name: 'Messages' }).getByText('Who do I ask about a bequest?').waitFor();
    expect(await page.getByTestId('conv-owner').textContent()).toBe('Waiting in queue donor');
    expect(await transfer.isDisabled()).toBe(false);
    expect(await resolve.isDisabled()).toBe(true);

    // A supervisor may act on Maria's conversation (the server allows it): told whose it is, nothing disabled.
    const sue = await e2e.app.agent({ name: 'Sue Supervisor', queues: ['donor'], role: 'supervisor', available: false });
    const sup = await newPage(); // its own context: another signed-in agent
    await logIn(sup, e2e.app.url, sue.email, PASSWORD);
    await sup.getByRole('tab', { name: 'My queues' }).click();
    await sup
      .getByTestId('conversation-item')
      .filter({ hasText: from.slice(-4) })
      .click();
    await sup.getByRole('log', { name: 'Messages' }).getByText('Is my monthly gift still active?').waitFor();
    expect(await sup.getByTestId('conv-owner').textContent()).toBe('Assigned to Maria Lopez');
    expect(await sup.getByRole('tab', { name: 'Reply' }).getAttribute('aria-selected')).toBe('true');
    expect(await sup.getByRole('button', { name: 'Transfer' }).isDisabled()).toBe(false);
    expect(await sup.getByRole('button', { name: 'Resolve' }).isDisabled()).toBe(false);
  }, 90_000);
});
