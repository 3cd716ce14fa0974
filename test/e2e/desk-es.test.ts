import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { randomPhone } from '../helpers/harness.js';
import { axeViolations } from './axe.js';
import { chromiumAvailable, screenshot } from './browser.js';
import { browserSuite } from './browser-suite.js';

// An agent whose language is Spanish works a whole offer in Spanish: toast, timeline, transfer
// dialog, softphone, shortcuts help; a Spanish-speaking supervisor reads the wallboard. Each
// screen is checked with axe (Spanish labels are longer: nothing may lose its name or contrast).

const PASSWORD = 'agent-password-1';
const e2e = browserSuite('e2e-desk-es', { page: { context: { bypassCSP: true } } });
const { newPage } = e2e;

/** Signs in through the form (in the browser's English) and waits for the desk in the agent's own language. */
async function logInSpanish(page: Page, email: string, path = '/') {
  await page.goto(e2e.app.url + path);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('connection').filter({ hasText: 'En vivo' }).waitFor({ timeout: 15_000 });
  await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('es');
}

describe.runIf(chromiumAvailable())('the desk in Spanish', () => {
  it('an agent whose language is es takes an offer, reads the timeline, opens transfer, softphone and shortcuts; the supervisor reads the wallboard', async () => {
    const lucia = await e2e.app.agent({ name: 'Lucía Fernández', queues: ['donor'] });
    expect((await e2e.app.api('PATCH', '/api/me', { language: 'es' }, lucia.token)).status).toBe(200);
    const sam = await e2e.app.agent({ name: 'Samuel Ortega', queues: ['donor'], role: 'supervisor', available: false });
    expect((await e2e.app.api('PATCH', '/api/me', { language: 'es' }, sam.token)).status).toBe(200);
    // Someone to transfer to, available only once the offer has gone to Lucía.
    const dana = await e2e.app.agent({ name: 'Dana Reyes', queues: ['donor'], available: false });

    const desk = await newPage();
    await logInSpanish(desk, lucia.email);
    await desk.getByRole('navigation', { name: 'Bandeja' }).waitFor();

    // The offer toast, in Spanish.
    const donor = randomPhone();
    expect((await e2e.app.sms(donor, 'Hola, quiero cambiar mi donación mensual')).status).toBe(200);
    const offer = desk.getByTestId('offer');
    await offer.waitFor();
    const toast = (await offer.textContent()) ?? '';
    expect(toast).toContain('SMS entrante');
    expect(toast).toContain('cola: donor');
    expect(toast).not.toMatch(/Incoming|queue:|Accept|Decline/);
    await offer.getByRole('button', { name: 'Aceptar' }).waitFor();
    await offer.getByRole('button', { name: 'Rechazar' }).waitFor();
    expect(await offer.getByLabel(/^Quedan? \d+ segundos?$/).count()).toBe(1);
    expect(await axeViolations(desk)).toEqual([]);
    await screenshot(desk, 'es-offer', { docs: true });

    // Accept; the conversation's timeline speaks Spanish (its name, the author and delivery of a reply, the day).
    await offer.getByRole('button', { name: 'Aceptar' }).click();
    await offer.waitFor({ state: 'detached' });
    const timeline = desk.getByRole('log', { name: 'Mensajes' });
    await timeline.getByText('Hola, quiero cambiar mi donación mensual').waitFor();
    const conversations = (await e2e.app.api('GET', '/api/conversations?status=assigned', undefined, lucia.token)).body.conversations;
    const conversation = conversations.find((c: any) => c.contact?.address === donor) ?? conversations[0];
    expect(
      (await e2e.app.api('POST', `/api/conversations/${conversation.id}/messages`, { body: 'Claro, ¿a qué monto?' }, lucia.token)).status,
    ).toBeLessThan(300);
    const reply = timeline.getByTestId('message').filter({ hasText: 'Claro, ¿a qué monto?' });
    await reply.waitFor();
    await expect.poll(async () => (await reply.locator('.msg-meta').textContent()) ?? '').toMatch(/Usted/);
    await expect
      .poll(async () => (await reply.locator('.delivery').textContent()) ?? '')
      .toMatch(/^(en cola|pendiente|enviando|enviado|entregado)$/);
    expect(await desk.locator('.side').textContent()).toMatch(/Contacto desde \d{1,2}\/\d{1,2}\/\d{4}/);
    const day = (await timeline.locator('.day-sep').first().textContent()) ?? '';

    expect(day).toMatch(/lunes|martes|miércoles|jueves|viernes|sábado|domingo/);
    await desk.getByRole('region', { name: /^Conversación con / }).waitFor();
    expect(await axeViolations(desk)).toEqual([]);
    await screenshot(desk, 'es-conversation', { docs: true });

    // The transfer dialog.
    expect((await e2e.app.api('PUT', '/api/me/status', { status: 'available' }, dana.token)).status).toBe(200);

    await desk.getByRole('button', { name: 'Transferir', exact: true }).first().click();
    const dialog = desk.getByRole('dialog', { name: 'Transferir conversación' });
    await dialog.waitFor();
    await dialog.getByLabel('Transferir a').waitFor();
    await dialog.getByLabel('Nota para quien la recibe (opcional)').waitFor();
    await expect.poll(async () => (await dialog.locator('option').allTextContents()).join('|')).toContain('Dana Reyes — Disponible');
    expect((await dialog.locator('option').allTextContents()).join('|')).toContain('Elija una cola o un agente…');
    expect(await axeViolations(desk)).toEqual([]);
    await screenshot(desk, 'es-transfer', { docs: true });
    await dialog.getByRole('button', { name: 'Cancelar' }).click();
    await dialog.waitFor({ state: 'detached' });

    // The softphone: without Twilio keys it says so, in Spanish.
    const phone = desk.getByRole('region', { name: 'Teléfono web' });
    await phone.getByRole('heading', { name: 'Teléfono' }).waitFor();
    await expect.poll(async () => (await desk.getByTestId('softphone-status').textContent()) ?? '').toBe('Sin configurar');
    expect(await desk.getByTestId('softphone-note').textContent()).toContain('La voz no está configurada en este Switchboard.');
    expect(await desk.getByTestId('softphone-note').textContent()).toContain('Las llamadas siguen llegando al escritorio');
    await phone.screenshot({ path: shotPath('es-softphone') });

    // The shortcuts help.
    await desk.locator('body').click({ position: { x: 5, y: 700 } });
    await desk.keyboard.press('?');
    const help = desk.getByRole('dialog', { name: 'Atajos de teclado' });
    await help.waitFor();
    expect(await help.textContent()).toContain('Aceptar la oferta entrante');
    expect(await help.textContent()).toContain('Transferir la conversación abierta');
    expect(await axeViolations(desk)).toEqual([]);
    await screenshot(desk, 'es-shortcuts', { docs: true });
    await help.getByRole('button', { name: 'Cerrar' }).click();

    // The supervisor's wallboard.
    const wall = await newPage();
    await logInSpanish(wall, sam.email, '/wallboard');
    const board = wall.getByRole('main', { name: 'Panel del supervisor' });
    await board.waitFor();
    for (const heading of ['Colas', 'Agentes', 'Conversaciones abiertas', 'Hoy por canal', 'Hoy por hora', 'Alertas'])
      await board.getByRole('heading', { name: new RegExp(`^${heading}`) }).waitFor();
    expect(await board.getByRole('region', { name: 'Totales' }).textContent()).toContain('En espera ahora');
    const headers = (await wall.getByTestId('queues-table').locator('thead th').allTextContents()).join('|');
    expect(headers).toContain('Atendidas hoy');
    expect(headers).not.toMatch(/Waiting|Answered|Agents/);
    // The longer Spanish top bar of a supervisor still fits the screen: nothing is pushed off its right edge.
    const signOut = await wall.getByRole('button', { name: 'Cerrar sesión' }).boundingBox();
    expect(signOut!.x + signOut!.width).toBeLessThanOrEqual(1280);
    expect(await wall.getByTestId('connection').evaluate((e) => e.getBoundingClientRect().height)).toBeLessThan(20); // "En vivo" on one line
    expect(await axeViolations(wall)).toEqual([]);
    await screenshot(wall, 'es-wallboard', { docs: true });
  }, 120_000);
});

/** The softphone alone (a panel, not the page): same place as the page screenshots. */
function shotPath(name: string) {
  return process.env.SCREENSHOTS === '1' ? `docs/screenshots/${name}.png` : `test-results/${name}.png`;
}
