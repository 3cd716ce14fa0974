import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { randomPhone } from '../helpers/harness.js';
import { chromiumAvailable, logIn, screenshot } from './browser.js';
import { browserSuite } from './browser-suite.js';

/** Issue 10: the contact page (details, addresses, every conversation, merge) and the desk's merge suggestion. */
const PASSWORD = 'agent-password-1';
const e2e = browserSuite('e2e-contact-page');

describe.runIf(chromiumAvailable())('the contact page', () => {
  it('the desk suggests merging a look-alike contact; the contact page lists every conversation and merges them', async () => {
    const hotline = '+15005550888';
    await e2e.app.api('POST', '/api/queues', { key: 'gifts', name: 'Gifts' });
    await e2e.app.api('POST', '/api/inboxes', { kind: 'phone', address: hotline, queue: 'gifts' });
    const gil = await e2e.app.agent({ name: 'Gil Moreno', queues: ['gifts'], available: false });
    const sock = await e2e.app.socket(gil.token);
    await e2e.app.api('PUT', '/api/me/status', { status: 'available' }, gil.token);

    // The same person wrote from two phones: two contacts, "María López" and "maria lopez".
    const taken = async (phone: string, body: string) => {
      await e2e.app.sms(phone, body, { To: hotline });
      const offer = await sock.waitFor('reservation.created', (p) => p.contact.address === phone, 15_000);
      await e2e.app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, gil.token);
      const c = (await e2e.app.api('GET', `/api/conversations/${offer.conversationId}`, undefined, gil.token)).body.conversation;
      return { id: c.id as string, number: c.number as number, contactId: c.contactId as string };
    };
    const first = await taken(randomPhone(), 'My monthly gift was charged twice');
    const second = await taken(randomPhone(), 'Following up on the double charge');
    await e2e.app.api('PATCH', `/api/contacts/${first.contactId}`, { name: 'María López' }, gil.token);
    await e2e.app.api('PATCH', `/api/contacts/${second.contactId}`, { name: 'maria lopez', notes: 'Prefers texts' }, gil.token);
    // Two open SMS conversations of one contact would share a thread: the follow-up is resolved first (the merge refuses otherwise).
    expect((await e2e.app.api('POST', `/api/conversations/${second.id}/resolve`, {}, gil.token)).status).toBe(200);

    const page: Page = await e2e.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('dialog', (d) => void d.accept());
    await logIn(page, e2e.app.url, gil.email, PASSWORD);

    // In the conversation, the contact panel says the contact looks like another one.
    await page
      .getByTestId('conversation-item')
      .filter({ hasText: `#${first.number}` })
      .click();
    const hint = page.getByTestId('merge-hint');
    await hint.waitFor();
    expect(await hint.textContent()).toContain('Looks like another contact');
    await screenshot(page, 'contact-merge-suggestion', { docs: true });

    // "Review and merge" opens the contact page: details, addresses, the suggestion with its reason.
    await hint.getByRole('button', { name: 'Review and merge' }).click();
    await page.getByRole('heading', { level: 1, name: 'María López' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/contacts/${first.contactId}`);
    const candidate = page.getByTestId('merge-candidate');
    await candidate.waitFor();
    expect(await candidate.textContent()).toContain('same name');
    const history = page.getByRole('region', { name: /All conversations/ });
    expect(await history.getByRole('row').count()).toBe(2); // header + one conversation
    await screenshot(page, 'contact-page', { docs: true });

    // Merge: the other contact's conversation comes here; the suggestion is gone; the other contact is no more.
    await candidate.getByRole('button', { name: 'Merge into this contact' }).click();
    await expect
      .poll(async () => {
        const notice = await page.getByTestId('notice').allTextContents();
        if (notice.length) throw new Error(`merge failed: ${notice.join(' ')}`);
        return history.getByRole('row').count();
      })
      .toBe(3);
    await page.getByText('No contact looks like this one.').waitFor();
    expect((await e2e.app.api('GET', `/api/contacts/${second.contactId}`, undefined, gil.token)).status).toBe(404);
    const merged = (await e2e.app.api('GET', `/api/contacts/${first.contactId}`, undefined, gil.token)).body;
    expect(merged.identities).toHaveLength(2);
    expect(merged.contact.notes).toBe('Prefers texts');
    await screenshot(page, 'contact-page-merged', { docs: true });

    // A reference in the history opens that conversation in the desk.
    await history.getByRole('button', { name: `#${second.number}` }).click();
    await page.getByRole('log', { name: 'Messages' }).getByText('Following up on the double charge').waitFor();

    // From search: a result leads to its contact's page.
    const box = page.getByLabel('Search conversations');
    await box.fill('charged twice');
    await box.press('Enter');
    await page.getByTestId('search-results').getByRole('button', { name: 'Contact page' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'María López' }).waitFor();

    // In Spanish.
    await e2e.app.api('PATCH', '/api/me', { language: 'es' }, gil.token);
    await page.reload();
    await page.getByRole('heading', { name: /Todas las conversaciones/ }).waitFor();
    await page.getByRole('heading', { name: 'Fusionar contactos' }).waitFor();
    await page.getByText('Ningún contacto se parece a este.').waitFor();
    await screenshot(page, 'contact-page-es', { docs: true });
  }, 150_000);
});
