import { describe, expect, it } from 'vitest';
import { ADMIN, eventually, randomPhone } from '../helpers/harness.js';
import { axeViolations } from './axe.js';
import { chromiumAvailable, logIn, screenshot } from './browser.js';
import { browserSuite } from './browser-suite.js';

/**
 * `/admin` in a browser (contract: "Administration and shared content"): an admin creates a
 * queue, an agent, an inbox, a canned response and a disposition in the UI; that agent signs
 * in, chooses its own password, inserts the canned response with `/`, resolves with the
 * server-side disposition, and switches the desk to Spanish. Every screen visited is checked
 * with axe-core (no serious or critical violation).
 */
const e2e = browserSuite('e2e-admin', { page: { viewport: { width: 1280, height: 800 }, context: { locale: 'en-US', bypassCSP: true } } });
const { newPage } = e2e;

describe.runIf(chromiumAvailable())('administration in the desk', () => {
  it('an admin sets up a queue, an agent, an inbox, a canned response and a disposition; the agent uses them', async () => {
    const number = `+1500555${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
    const agentEmail = `gia.${Date.now()}@example.org`;
    const admin = await newPage();
    await logIn(admin, e2e.app.url, ADMIN.email, ADMIN.password, '/admin/queues');
    await admin.getByRole('heading', { name: 'Administration' }).waitFor();

    // A queue.
    await admin.getByRole('button', { name: 'Add queue' }).click();
    const qf = admin.getByRole('form', { name: 'Add queue' });
    await qf.getByLabel('Key', { exact: true }).fill('gifts');
    await qf.getByLabel('Name', { exact: true }).fill('Gifts & gift aid');
    await qf.getByLabel('Answer target (seconds)').fill('90');
    await qf.getByLabel('Open only at set hours').check();
    // Request SLA targets (minutes in the form, seconds in the API) and an auto-reply in both languages.
    await qf.getByLabel('Set response and resolution targets').check();
    await qf.getByLabel('First response within (minutes)').fill('0');
    await qf.getByLabel('Resolved within (minutes)').fill('1440');
    await qf.getByLabel('When open (English)').fill('Thanks, we have your message (ref. #{number}).');
    await qf.getByLabel('When open (Spanish)').fill('Gracias, hemos recibido su mensaje (ref. #{number}).');
    // Where callbacks and voicemails wait, explained under the choice.
    const callbacks = qf.getByLabel('Callbacks and voicemails');
    await callbacks.selectOption('first');
    expect(await qf.locator(`#${await callbacks.getAttribute('aria-describedby')}`).textContent()).toMatch(/go ahead of live callers/);
    await qf.getByRole('button', { name: 'Save' }).click();
    // The server's own schema, run in the browser: the error is next to its field (and focused), nothing was sent.
    const first = qf.getByLabel('First response within (minutes)');
    await expect.poll(() => first.getAttribute('aria-invalid')).toBe('true');
    expect(await qf.locator(`#${await first.getAttribute('aria-describedby')}`).textContent()).toBe('Must be 1 or more.');
    expect(await first.evaluate((el) => el === document.activeElement)).toBe(true);
    expect((await e2e.app.api('GET', '/api/queues/gifts')).status).toBe(404);
    await first.fill('30');
    await qf.getByRole('button', { name: 'Save' }).click();
    await admin.getByTestId('queue-row').filter({ hasText: 'Gifts & gift aid' }).waitFor();
    expect((await e2e.app.api('GET', '/api/queues/gifts')).body.queue).toMatchObject({
      name: 'Gifts & gift aid',
      slaSeconds: 90,
      sla: { firstResponseSeconds: 1800, nextResponseSeconds: null, resolutionSeconds: 86400 },
      callbackOrder: 'first',
      autoReply: {
        open: { en: 'Thanks, we have your message (ref. #{number}).', es: 'Gracias, hemos recibido su mensaje (ref. #{number}).' },
        closed: null,
      },
    });
    // A bad key: the schema's message under the Key field.
    await admin.getByRole('button', { name: 'Add queue' }).click();
    await qf.getByLabel('Key', { exact: true }).fill('Not A Key');
    await qf.getByLabel('Name', { exact: true }).fill('Bad');
    await qf.getByRole('button', { name: 'Save' }).click();
    await qf.getByText('Use lower-case letters, digits, _ and - (at most 40), starting with a letter or digit.', { exact: true }).waitFor();
    expect(await qf.getByLabel('Key', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await screenshot(admin, 'admin-queues', { docs: true });
    expect(await axeViolations(admin)).toEqual([]);
    await qf.getByRole('button', { name: 'Cancel' }).click();

    // An agent serving it, with a first password to replace.
    await admin.getByRole('link', { name: 'Agents' }).click();
    await admin.getByRole('button', { name: 'Add agent' }).click();
    const af = admin.getByRole('form', { name: 'Add agent' });
    await af.getByLabel('Name', { exact: true }).fill('Gia Romero');
    // A bad address and a short password: both refused next to their fields, the first one focused, nothing sent.
    await af.getByLabel('Email', { exact: true }).fill('gia.example.org');
    await af.getByLabel(/First password/).fill('short');
    await af.getByRole('button', { name: 'Save' }).click();
    const email = af.getByLabel('Email', { exact: true });
    await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
    expect(await af.locator(`#${await email.getAttribute('aria-describedby')}`).textContent()).toBe(
      'Enter an email address, like name@example.org.',
    );
    expect(await email.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await af.getByLabel(/First password/).getAttribute('aria-invalid')).toBe('true');
    await screenshot(admin, 'admin-agent-errors', { docs: true });
    expect(await axeViolations(admin)).toEqual([]);
    expect((await e2e.app.api('GET', '/api/agents')).body.agents.some((a: any) => a.name === 'Gia Romero')).toBe(false);
    await email.fill(agentEmail);
    await af.getByLabel(/First password/).fill('handed-over-1');
    await af.getByRole('checkbox', { name: 'Gifts & gift aid' }).check();
    await af.getByLabel('Skill level in Gifts & gift aid').selectOption('5');
    await af.getByRole('button', { name: 'Save' }).click();
    await admin.getByTestId('agent-row').filter({ hasText: 'Gia Romero' }).waitFor();
    const gia = (await e2e.app.api('GET', '/api/agents')).body.agents.find((a: any) => a.email === agentEmail);
    expect(gia).toMatchObject({ role: 'agent', queues: [{ queue: 'gifts', level: 5 }], mustChangePassword: true, active: true });
    await screenshot(admin, 'admin-agents', { docs: true });
    expect(await axeViolations(admin)).toEqual([]);

    // Its number.
    await admin.getByRole('link', { name: 'Inboxes' }).click();
    const inf = admin.getByRole('form', { name: 'Add inbox' });
    // A number that is not E.164 and no queue: refused in the browser, each next to its field.
    await inf.getByLabel('Address', { exact: true }).fill('555-0100');
    await inf.getByRole('button', { name: 'Add' }).click();
    const address = inf.getByLabel('Address', { exact: true });
    await expect.poll(() => address.getAttribute('aria-invalid')).toBe('true');
    expect(await inf.locator(`#${await address.getAttribute('aria-describedby')}`).textContent()).toBe(
      'Enter the number in international format, like +15551234567.',
    );
    expect(await inf.getByRole('combobox', { name: /^Queue/ }).getAttribute('aria-invalid')).toBe('true');
    expect((await e2e.app.api('GET', '/api/inboxes')).body.inboxes.some((i: any) => i.address === '555-0100')).toBe(false);
    await inf.getByLabel('Address', { exact: true }).fill(number);
    await inf.getByRole('combobox', { name: /^Queue/ }).selectOption('gifts');
    await inf.getByRole('button', { name: 'Add' }).click();
    await admin.getByTestId('inbox-row').filter({ hasText: number }).waitFor();
    await screenshot(admin, 'admin-inboxes', { docs: true });
    expect(await axeViolations(admin)).toEqual([]);

    // The queue cannot go while that number routes into it: the server's 409, in its words.
    await admin.getByRole('link', { name: 'Queues' }).click();
    await admin.getByRole('button', { name: 'Delete Gifts & gift aid' }).click();
    await admin
      .getByRole('alert')
      .filter({ hasText: `queue gifts is still used by inbox ${number}: move it to another queue first` })
      .waitFor();
    expect((await e2e.app.api('GET', '/api/queues/gifts')).status).toBe(200);
    await screenshot(admin, 'admin-queue-in-use', { docs: true });
    expect(await axeViolations(admin)).toEqual([]);

    // A canned response for the queue, and a resolution code.
    await admin.getByRole('link', { name: 'Canned responses' }).click();
    await admin.getByRole('button', { name: 'Add canned response' }).click();
    const cf = admin.getByRole('form', { name: 'Add canned response' });
    await cf.getByLabel('Title', { exact: true }).fill('Gift aid form');
    await cf.getByRole('combobox', { name: /^Queue/ }).selectOption('gifts');
    await cf.getByLabel('Text', { exact: true }).fill('Here is the gift aid form, {contact.first_name} (ref. #{conversation.number}).');
    await cf.getByRole('button', { name: 'Save' }).click();
    await admin.getByTestId('canned-row').filter({ hasText: 'Gift aid form' }).waitFor();
    await screenshot(admin, 'admin-canned', { docs: true });
    expect(await axeViolations(admin)).toEqual([]);

    await admin.getByRole('link', { name: 'Dispositions' }).click();
    await admin.getByRole('button', { name: 'Add disposition' }).click();
    const df = admin.getByRole('form', { name: 'Add disposition' });
    await df.getByLabel('Label', { exact: true }).fill('Gift aid form sent');
    await df.getByLabel('Code', { exact: true }).fill('gift-aid-sent');
    await df.getByRole('combobox', { name: /^Queue/ }).selectOption('gifts');
    await df.getByRole('button', { name: 'Save' }).click();
    await admin.getByTestId('disposition-row').filter({ hasText: 'Gift aid form sent' }).waitFor();
    await screenshot(admin, 'admin-dispositions', { docs: true });
    expect(await axeViolations(admin)).toEqual([]);

    // The agent signs in, must choose its own password first, then works.
    const desk = await newPage();
    await desk.goto(e2e.app.url + '/');
    await desk.getByLabel('Email').fill(agentEmail);
    await desk.getByLabel('Password').fill('handed-over-1');
    await desk.getByRole('button', { name: 'Sign in' }).click();
    await desk.getByRole('heading', { name: 'Choose your own password' }).waitFor();
    expect(await axeViolations(desk)).toEqual([]);
    await desk.getByLabel('Current password').fill('handed-over-1');
    await desk.getByLabel('New password (8 characters or more)').fill('gias-own-password');
    await desk.getByLabel('New password again').fill('gias-own-password');
    await desk.getByRole('button', { name: 'Change password' }).click();
    await desk.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
    await desk.getByRole('group', { name: 'My presence' }).getByRole('button', { name: 'Available' }).click();
    await expect
      .poll(async () => (await e2e.app.api('GET', '/api/agents')).body.agents.find((a: any) => a.id === gia.id)?.presence)
      .toBe('available');

    const donor = randomPhone();
    expect((await e2e.app.sms(donor, 'Can I get the gift aid form?', { To: number })).status).toBe(200);
    await desk.getByTestId('offer').waitFor();
    await desk.keyboard.press('Alt+KeyA');
    await desk.getByRole('log', { name: 'Messages' }).getByText('Can I get the gift aid form?').waitFor();
    const conv = await eventually(async () =>
      (await e2e.app.api('GET', '/api/conversations?status=assigned&queue=gifts')).body.conversations.find(
        (c: any) => c.assigneeId === gia.id,
      ),
    );

    // `/` and a few letters: the matching canned responses, Enter inserts the chosen one, filled in.
    const composer = desk.locator('#composer');
    await composer.click();
    await composer.pressSequentially('/gift');
    const list = desk.getByRole('listbox', { name: /Canned responses matching/ });
    await list.getByRole('option', { name: /Gift aid form/ }).waitFor();
    await screenshot(desk, 'canned-slash', { docs: true });
    expect(await axeViolations(desk)).toEqual([]);
    await composer.press('Enter');
    await expect.poll(() => composer.inputValue()).toBe(`Here is the gift aid form, there (ref. #${conv.number}).`);
    await composer.press('Control+Enter');
    await eventually(() => e2e.app.twilio.messages().find((m) => m.To === donor && m.Body?.startsWith('Here is the gift aid form')));

    // Resolve with the queue's own code.
    await desk.keyboard.press('Alt+KeyS');
    const dialog = desk.getByRole('dialog', { name: 'Resolve conversation' });
    await dialog.getByLabel('Disposition').selectOption({ label: 'Gift aid form sent' });
    expect(await axeViolations(desk)).toEqual([]);
    await dialog.getByRole('button', { name: 'Resolve' }).click();
    await expect
      .poll(async () => (await e2e.app.api('GET', `/api/conversations/${conv.id}`)).body.conversation)
      .toMatchObject({ status: 'resolved', disposition: 'gift-aid-sent' });

    // The desk in Spanish: labels change, the choice is kept on the agent and survives a reload.
    await desk.getByLabel('Language').selectOption('es');
    await desk.getByRole('group', { name: 'Mi disponibilidad' }).getByRole('button', { name: 'Disponible' }).waitFor();
    await expect
      .poll(async () => (await e2e.app.api('GET', '/api/agents')).body.agents.find((a: any) => a.id === gia.id)?.language)
      .toBe('es');
    await desk.reload();
    await desk.getByRole('button', { name: 'Cerrar sesión' }).waitFor();
    expect(await desk.evaluate(() => document.documentElement.lang)).toBe('es');
    await desk.getByRole('navigation', { name: 'Bandeja' }).getByRole('tab', { name: 'Mías' }).waitFor();
    await screenshot(desk, 'desk-spanish', { docs: true });
    expect(await axeViolations(desk)).toEqual([]);
  }, 180_000);

  it('the main screens have no serious or critical accessibility violation', async () => {
    const page = await newPage();
    await page.goto(e2e.app.url + '/');
    await page.getByRole('heading', { name: 'Sign in to the agent desk' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await logIn(page, e2e.app.url, ADMIN.email, ADMIN.password, '/');
    expect(await axeViolations(page)).toEqual([]);
    for (const path of ['/wallboard', '/admin/agents', '/admin/audit', '/account/security']) {
      await page.goto(e2e.app.url + path);
      await page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
      await page.getByRole('main').waitFor();
      expect({ path, violations: await axeViolations(page) }).toEqual({ path, violations: [] });
    }
  }, 120_000);
});
