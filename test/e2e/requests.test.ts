import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { randomPhone } from '../helpers/harness.js';
import { chromiumAvailable, logIn, screenshot } from './browser.js';
import { browserSuite } from './browser-suite.js';

const PASSWORD = 'agent-password-1';
const e2e = browserSuite('e2e-requests');

describe.runIf(chromiumAvailable())('requests in the desk', () => {
  it('shows references and a red badge once the SLA is breached; search finds by word and opens by #number', async () => {
    const hotline = '+15005550777';
    await e2e.app.api('POST', '/api/queues', {
      key: 'helpdesk',
      name: 'IT help',
      sla: { firstResponseSeconds: 3, resolutionSeconds: 86_400 },
    });
    await e2e.app.api('POST', '/api/inboxes', { kind: 'phone', address: hotline, queue: 'helpdesk' });
    const ivan = await e2e.app.agent({ name: 'Ivan Ortiz', queues: ['helpdesk'], available: false });
    const sock = await e2e.app.socket(ivan.token);
    await e2e.app.api('PUT', '/api/me/status', { status: 'available' }, ivan.token);

    // Two requests: one breaches its first-response target, the other is searched for.
    const late = randomPhone();
    await e2e.app.sms(late, 'The projector in room 4 shows no signal', { To: hotline });
    const offer1 = await sock.waitFor('reservation.created', (p) => p.contact.address === late);
    await e2e.app.api('POST', `/api/reservations/${offer1.reservationId}/accept`, undefined, ivan.token);
    const other = randomPhone();
    await e2e.app.sms(other, 'My badge does not open the warehouse door', { To: hotline });
    const offer2 = await sock.waitFor('reservation.created', (p) => p.contact.address === other, 15_000);
    await e2e.app.api('POST', `/api/reservations/${offer2.reservationId}/accept`, undefined, ivan.token);
    await e2e.app.api('POST', `/api/conversations/${offer2.conversationId}/messages`, { body: 'Looking into it' }, ivan.token);
    await sock.waitFor('sla.breached', (p) => p.conversationId === offer1.conversationId, 20_000);
    const lateNumber = (await e2e.app.api('GET', `/api/conversations/${offer1.conversationId}`, undefined, ivan.token)).body.conversation
      .number;
    const otherNumber = (await e2e.app.api('GET', `/api/conversations/${offer2.conversationId}`, undefined, ivan.token)).body.conversation
      .number;

    const page: Page = await e2e.newPage({ viewport: { width: 1280, height: 720 } });
    await logIn(page, e2e.app.url, ivan.email, PASSWORD);

    // The inbox: each row carries its reference; the breached one a red badge, the answered one a calm one.
    const rows = page.getByTestId('conversation-item');
    const lateRow = rows.filter({ hasText: `#${lateNumber}` });
    await lateRow.waitFor();
    expect(await lateRow.getByTestId('due-badge').getAttribute('data-state')).toBe('breached');
    expect(await lateRow.getByTestId('due-badge').textContent()).toMatch(/over$/);
    const otherRow = rows.filter({ hasText: `#${otherNumber}` });
    expect(await otherRow.getByTestId('due-badge').getAttribute('data-state')).toBe('ok');
    // Sorted by due time, the breached one comes first.
    await page.getByLabel('Sort').selectOption('due');
    await expect.poll(async () => (await rows.first().textContent()) ?? '').toContain(`#${lateNumber}`);
    await screenshot(page, 'requests-breach-badge', { docs: true });

    // Search by a word (stemmed: "projectors"): the result names the reference and opens it.
    const box = page.getByLabel('Search conversations');
    await box.fill('projectors');
    await box.press('Enter');
    const results = page.getByTestId('search-results');
    await results.getByText(`#${lateNumber}`).waitFor();
    expect(await results.locator('mark').first().textContent()).toBe('projector');
    await screenshot(page, 'requests-search', { docs: true });
    await results.getByRole('button').first().click();
    await page.getByRole('heading', { name: new RegExp(`#${lateNumber}`) }).waitFor();

    // `#number` opens the other conversation at once.
    await box.fill(`#${otherNumber}`);
    await box.press('Enter');
    await page.getByRole('log', { name: 'Messages' }).getByText('My badge does not open the warehouse door').waitFor();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain(`#${otherNumber}`);

    // Tags from the header, then the conversation is set pending.
    const tagInput = page.getByLabel('Add a tag');
    await tagInput.fill('Access card');
    await tagInput.press('Enter');
    await expect
      .poll(
        async () => (await e2e.app.api('GET', `/api/conversations/${offer2.conversationId}`, undefined, ivan.token)).body.conversation.tags,
      )
      .toEqual(['access card']);
    await page.getByRole('button', { name: 'Pending', exact: true }).click();
    await expect
      .poll(
        async () =>
          (await e2e.app.api('GET', `/api/conversations/${offer2.conversationId}`, undefined, ivan.token)).body.conversation.status,
      )
      .toBe('pending');
    await page.getByRole('button', { name: 'Take back' }).waitFor();
    await screenshot(page, 'requests-header', { docs: true });
  }, 120_000);
});
