import { describe, expect, it } from 'vitest';
import { ADMIN, randomPhone } from '../helpers/harness.js';
import { axeViolations } from './axe.js';
import { chromiumAvailable, logIn, screenshot } from './browser.js';
import { browserSuite } from './browser-suite.js';

/**
 * Quality reviews in the desk (issue 13): an admin edits the scorecard in /admin, a supervisor
 * reviews a resolved conversation against it, and the agent who handled it sees the review arrive
 * in My reviews without a reload, with the averages. Every screen is checked with axe-core.
 */
const PASSWORD = 'agent-password-1';
const e2e = browserSuite('e2e-reviews', {
  page: { viewport: { width: 1280, height: 800 }, context: { locale: 'en-US', bypassCSP: true } },
});
const { newPage } = e2e;

/** A donor texts, Ana accepts, answers and resolves it: the conversation a supervisor reviews. */
async function resolvedConversation(ana: { id: string; token: string }) {
  const sock = await e2e.app.socket(ana.token);
  const from = randomPhone();
  await e2e.app.sms(from, 'Can I move my monthly gift to the 15th?');
  const offer = await sock.waitFor('reservation.created', (p) => p.contact.address === from);
  expect((await e2e.app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, ana.token)).status).toBe(200);
  expect((await e2e.app.api('PATCH', `/api/contacts/${offer.contact.id}`, { name: 'Rosa Donor' }, ana.token)).status).toBe(200);
  const reply = { body: 'Done: your gift now goes out on the 15th of each month. Anything else?' };
  expect((await e2e.app.api('POST', `/api/conversations/${offer.conversationId}/messages`, reply, ana.token)).status).toBe(201);
  expect((await e2e.app.api('POST', `/api/conversations/${offer.conversationId}/resolve`, {}, ana.token)).status).toBe(200);
  expect((await e2e.app.api('PUT', '/api/me/status', { status: 'away' }, ana.token)).status).toBe(200);
  sock.close();
  return (await e2e.app.api('GET', `/api/conversations/${offer.conversationId}`)).body.conversation as { id: string; number: number };
}

describe.runIf(chromiumAvailable())('quality reviews in the desk', () => {
  it('an admin edits the scorecard, a supervisor reviews a resolved conversation, the agent sees it in My reviews', async () => {
    const ana = await e2e.app.agent({ name: 'Ana Reyes', queues: ['donor'] });
    const sue = await e2e.app.agent({ name: 'Sue Park', role: 'supervisor', queues: ['donor'], available: false });
    const conversation = await resolvedConversation(ana);

    // 1. The admin adds a criterion (its key follows the label), moves it up, renames another.
    const admin = await newPage();
    await logIn(admin, e2e.app.url, ADMIN.email, ADMIN.password, '/admin/scorecard');
    await admin.getByRole('heading', { name: 'Scorecard', level: 2 }).waitFor();
    const rows = admin.getByTestId('criterion-row');
    await expect.poll(() => rows.count()).toBe(5);
    await admin.getByRole('button', { name: 'Add criterion' }).click();
    await admin.getByLabel('Label of criterion 6').fill('Privacy protected');
    expect(await admin.getByLabel('Key of criterion 6').inputValue()).toBe('privacy-protected');
    // The server's own schema, run in the browser: a bad key is refused next to its field, nothing is sent.
    await admin.getByLabel('Key of criterion 6').fill('9privacy');
    await admin.getByRole('button', { name: 'Save scorecard' }).click();
    await admin.getByText('Use lower-case letters, digits, _ and - (at most 40), starting with a letter.').waitFor();
    expect(await admin.getByLabel('Key of criterion 6').getAttribute('aria-invalid')).toBe('true');
    expect((await e2e.app.api('GET', '/api/scorecard')).body.criteria).toHaveLength(5);
    await admin.getByLabel('Key of criterion 6').fill('privacy');
    expect(await admin.getByLabel('Key of criterion 6').getAttribute('aria-invalid')).toBeNull(); // the error goes with the edit
    await admin.getByRole('button', { name: 'Move Privacy protected up' }).click();
    await admin.getByLabel('Label of criterion 6').fill('Notes and disposition');
    expect((await axeViolations(admin)).join('\n')).toBe('');
    await screenshot(admin, 'admin-scorecard', { docs: true });
    await admin.getByRole('button', { name: 'Save scorecard' }).click();
    await admin.getByRole('status').filter({ hasText: 'Scorecard saved.' }).waitFor();
    const criteria = (await e2e.app.api('GET', '/api/scorecard')).body.criteria;
    expect(criteria.map((c: { key: string }) => c.key)).toEqual(['greeting', 'accuracy', 'empathy', 'resolution', 'privacy', 'process']);
    expect(criteria[5]).toEqual({ key: 'process', label: 'Notes and disposition' });

    // 2. Ana has My reviews open: nothing yet.
    const agent = await newPage();
    await logIn(agent, e2e.app.url, ana.email, PASSWORD);
    await agent.getByRole('button', { name: 'My reviews' }).click();
    await agent.getByRole('heading', { name: 'My reviews', level: 1 }).waitFor();
    await agent.getByText('No one has reviewed your conversations yet.').waitFor();
    expect(agent.url()).toBe(`${e2e.app.url}/reviews`);

    // 3. Sue opens the resolved conversation and reviews it.
    const sup = await newPage();
    await logIn(sup, e2e.app.url, sue.email, PASSWORD);
    await sup.getByRole('tab', { name: 'My queues' }).click();
    await sup.getByLabel('Status').selectOption('resolved');
    await sup.getByTestId('conversation-item').filter({ hasText: 'Rosa Donor' }).click();
    await sup.getByRole('log', { name: 'Messages' }).getByText('Can I move my monthly gift to the 15th?').waitFor();
    await sup.getByRole('button', { name: 'Review', exact: true }).click();
    const dialog = sup.getByRole('dialog', { name: `Review conversation #${conversation.number}` });
    await dialog.getByText('No earlier reviews of this conversation.').waitFor();
    const groups = dialog.getByTestId('score-group');
    await expect.poll(() => groups.count()).toBe(6);
    expect(await dialog.getByRole('group').evaluateAll((gs) => gs.map((g) => g.querySelector('legend')?.textContent))).toEqual(
      criteria.map((c: { label: string }) => c.label),
    );
    // Scores missing: the dialog says which, and nothing is sent.
    await dialog.getByRole('group', { name: 'Greeting and tone' }).getByRole('radio', { name: '5' }).check();
    await dialog.getByRole('button', { name: 'Save review' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Score every criterion first: Accurate information, Empathy' }).waitFor();
    // Keyboard: arrows move within a group's radios.
    const accuracy = dialog.getByRole('group', { name: 'Accurate information' });
    await accuracy.getByRole('radio', { name: '1' }).focus();
    await sup.keyboard.press('Space');
    for (let i = 0; i < 3; i++) await sup.keyboard.press('ArrowRight');
    expect(await accuracy.getByRole('radio', { name: '4' }).isChecked()).toBe(true);
    const given: Record<string, number> = {
      Empathy: 5,
      'Resolved or set clear next steps': 4,
      'Privacy protected': 5,
      'Notes and disposition': 3,
    };
    for (const [label, n] of Object.entries(given))
      await dialog
        .getByRole('group', { name: label })
        .getByRole('radio', { name: String(n) })
        .check();
    await dialog.getByLabel('Comment for the agent (optional)').fill('Warm and quick. Add the wrap-up note next time.');
    expect((await axeViolations(sup)).join('\n')).toBe('');
    await dialog.getByRole('button', { name: 'Save review' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Review saved.' }).waitFor();
    await dialog.getByRole('heading', { name: '1 earlier review, average 4.33' }).waitFor();
    const item = dialog.getByTestId('review-item');
    expect(await item.getByTestId('review-average').textContent()).toBe('4.33 / 5');
    expect(await item.textContent()).toContain('by Sue Park');
    expect(await item.textContent()).toContain('Warm and quick.');
    await screenshot(sup, 'review-dialog', { docs: true });
    const stored = (await e2e.app.api('GET', `/api/reviews?conversationId=${conversation.id}`)).body;
    expect(stored.reviews[0]).toMatchObject({
      agentId: ana.id,
      reviewerId: sue.id,
      average: 4.33,
      scores: { greeting: 5, accuracy: 4, empathy: 5, resolution: 4, privacy: 5, process: 3 },
    });

    // 4. Ana's open screen hears of it: a notice, and the review with the averages, without a reload.
    await agent
      .getByTestId('notice')
      .filter({ hasText: `Conversation #${conversation.number} was reviewed: 4.33 / 5.` })
      .waitFor();
    const list = agent.getByTestId('review-list');
    await list.getByTestId('review-item').waitFor();
    expect(await agent.getByTestId('reviews-overall').textContent()).toBe('4.33');
    expect(await agent.getByTestId('criterion-accuracy').textContent()).toBe('Accurate information4');
    expect(await agent.getByTestId('criterion-process').textContent()).toBe('Notes and disposition3');
    expect(await list.textContent()).toContain('Add the wrap-up note next time.');
    expect((await axeViolations(agent)).join('\n')).toBe('');
    await screenshot(agent, 'my-reviews', { docs: true });
    // The review names its conversation, which opens in the desk.
    await list.getByRole('button', { name: `Conversation #${conversation.number}` }).click();
    await agent.waitForURL(`${e2e.app.url}/`);
    await agent.getByRole('log', { name: 'Messages' }).getByText('Can I move my monthly gift to the 15th?').waitFor();

    // 5. Supervisors see everyone's reviews and can pick one agent; the screen speaks Spanish.
    await sup.keyboard.press('Escape');
    await sup.getByRole('button', { name: 'Reviews', exact: true }).click();
    await sup.getByRole('heading', { name: 'Quality reviews', level: 1 }).waitFor();
    await sup.getByLabel('Agent', { exact: true }).selectOption(ana.id);
    await sup.getByTestId('review-item').waitFor();
    expect(await sup.getByTestId('reviews-overall').textContent()).toBe('4.33');
    await sup.getByLabel('Agent', { exact: true }).selectOption(sue.id);
    await sup.getByText('No reviews yet.').waitFor();
    await sup.getByLabel('Language').selectOption('es');
    await sup.getByRole('heading', { name: 'Evaluaciones de calidad', level: 1 }).waitFor();
    await sup.getByLabel('Agente', { exact: true }).selectOption(ana.id);
    await sup.getByTestId('review-item').filter({ hasText: 'por Sue Park' }).waitFor();
    expect(await sup.getByTestId('reviews-overall').textContent()).toBe('4,33');
    expect((await axeViolations(sup)).join('\n')).toBe('');
    await screenshot(sup, 'reviews-es', { docs: true });
  }, 240_000);

  it('a refusal from the server shows in the review dialog', async () => {
    const bo = await e2e.app.agent({ name: 'Bo Lane', queues: ['donor'] });
    const sup = await e2e.app.agent({ name: 'Lee Stone', role: 'supervisor', queues: ['donor'], available: false });
    const conversation = await resolvedConversation(bo);
    const page = await newPage();
    await logIn(page, e2e.app.url, sup.email, PASSWORD);
    await page.getByRole('tab', { name: 'My queues' }).click();
    await page.getByLabel('Status').selectOption('resolved');
    await page
      .getByTestId('conversation-item')
      .filter({ hasText: new RegExp(`#${conversation.number}(?!\\d)`) })
      .click();
    await page.getByRole('button', { name: 'Review', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Review conversation #${conversation.number}` });
    await expect.poll(() => dialog.getByTestId('score-group').count()).toBeGreaterThan(0);
    for (const group of await dialog.getByTestId('score-group').all()) await group.getByRole('radio', { name: '3' }).check();
    // Meanwhile an admin adds a criterion: the server refuses scores that miss it, and the dialog says so.
    const criteria = (await e2e.app.api('GET', '/api/scorecard')).body.criteria;
    expect((await e2e.app.api('PUT', '/api/scorecard', { criteria: [...criteria, { key: 'speed', label: 'Speed' }] })).status).toBe(200);
    await dialog.getByRole('button', { name: 'Save review' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Scores: missing speed.' }).waitFor();
    expect((await e2e.app.api('GET', `/api/reviews?conversationId=${conversation.id}`)).body.count).toBe(0);
  }, 120_000);
});
