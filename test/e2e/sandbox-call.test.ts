import { describe, expect, it } from 'vitest';
import { ADMIN } from '../helpers/harness.js';
import { chromiumAvailable, logIn, screenshot } from './browser.js';
import { browserSuite, NO_VENDOR_ENV } from './browser-suite.js';

/**
 * The sandbox's call pane in a real browser: an admin rings the hotline, reads the phone menu,
 * presses keys, and ends on hold in the donor queue; an agent in another browser context is offered
 * the call. No vendor is configured at all.
 */
const e2e = browserSuite('e2e-sandbox-call', { env: NO_VENDOR_ENV, page: { viewport: { width: 1280, height: 900 }, fakeDevice: true } });
const { newPage } = e2e;

describe.runIf(chromiumAvailable())('the sandbox call pane', () => {
  it('an admin walks the phone menu with typed digits and the agent is offered the call', { timeout: 120_000 }, async () => {
    const vic = await e2e.app.agent({ name: 'Vic Voice', queues: ['donor'], available: false });
    const desk = await newPage();
    await logIn(desk, e2e.app.url, vic.email, 'agent-password-1');
    await e2e.app.api('PUT', '/api/me/status', { status: 'available' }, vic.token);

    const admin = await newPage();
    await logIn(admin, e2e.app.url, ADMIN.email, ADMIN.password, '/sandbox');
    const call = admin.getByRole('region', { name: 'Call' });
    await call.getByLabel("Call: caller's number").fill('+15555550188');
    await call.getByRole('button', { name: 'Call', exact: true }).click();
    const said = call.getByRole('list', { name: 'Call: what is said' });
    await said.getByText('Thank you for calling. For English, press 1.').waitFor();
    await expect(call.getByTestId('call-state').textContent()).resolves.toContain('In the menu');

    const keypad = call.getByRole('group', { name: 'Call: keypad' });
    await keypad.getByRole('button', { name: '1', exact: true }).click();
    await said.getByText(/For donations and our store, press 1/).waitFor();
    // Several keys at once go in the box; a wrong one gets the menu again.
    await call.getByLabel('Call: keys to press').fill('7');
    await call.getByRole('button', { name: 'Press' }).click();
    await said.getByText('Sorry, that is not one of the options.').waitFor();
    await keypad.getByRole('button', { name: '1', exact: true }).click();
    await said.getByText('Please hold for the next available member of our donor and store team.').waitFor();
    await expect(call.getByTestId('call-state').textContent()).resolves.toContain('On hold in the queue');
    await expect(keypad.getByRole('button', { name: '1', exact: true }).isDisabled()).resolves.toBe(true);
    await screenshot(admin, 'sandbox-call', { docs: true });

    // The agent's desk gets a real voice offer from the caller.
    const offer = desk.getByTestId('offer');
    await offer.waitFor();
    expect(await offer.textContent()).toContain('+15555550188');
    await screenshot(desk, 'sandbox-call-offer');
  });
});
