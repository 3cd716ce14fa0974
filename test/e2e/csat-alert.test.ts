import { beforeAll, describe, expect, it } from 'vitest';
import { eventually, randomPhone, type AgentSocket } from '../helpers/harness.js';
import { axeViolations } from './axe.js';
import { chromiumAvailable, logIn, screenshot } from './browser.js';
import { browserSuite } from './browser-suite.js';

/**
 * A low satisfaction score in the desk (issue 13): a donor rates an SMS conversation 1; the
 * supervisor's desk shows the alert with the score, queue, agent and a button to the conversation,
 * in English and, for a Spanish-speaking admin, in Spanish. Real server, Postgres, Redis, Chromium.
 */
const PASSWORD = 'agent-password-1';
const e2e = browserSuite('e2e-csat-alert', {
  page: { viewport: { width: 1280, height: 760 }, context: { locale: 'en-US', bypassCSP: true } },
});
const { newPage } = e2e;
let dana: { id: string; token: string; email: string };
let danaSocket: AgentSocket;
let sam: { id: string; token: string; email: string };
let ana: { id: string; token: string; email: string };

beforeAll(async () => {
  if (!e2e.started) return;
  const app = e2e.app;
  dana = await app.agent({ name: 'Dana Reyes', queues: ['donor'], capacity: { sms: 5 } });
  danaSocket = await app.socket(dana.token);
  sam = await app.agent({ name: 'Sam Okafor', queues: ['donor', 'partner'], role: 'supervisor', available: false });
  ana = await app.agent({ name: 'Ana Ruiz', queues: ['partner'], role: 'admin', available: false });
  expect((await app.api('PATCH', '/api/me', { language: 'es' }, ana.token)).status).toBe(200);
}, 120_000);
describe.runIf(chromiumAvailable())('low satisfaction alert', () => {
  it('a donor rates 1: supervisors see score, queue and agent, and open the conversation', async () => {
    const sup = await newPage();
    await logIn(sup, e2e.app.url, sam.email, PASSWORD);
    const admin = await newPage();
    await admin.goto(e2e.app.url + '/');
    await admin.getByLabel('Email').fill(ana.email);
    await admin.getByLabel('Password').fill(PASSWORD);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.getByTestId('connection').filter({ hasText: 'En vivo' }).waitFor();

    // Dana answers a donor by SMS and resolves it; the survey goes out; the donor answers "1".
    const phone = randomPhone();
    await e2e.app.sms(phone, 'Did my gift arrive?');
    const offer = await danaSocket.waitFor('reservation.created', (p) => p.contact.address === phone);
    expect((await e2e.app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, dana.token)).status).toBe(200);
    expect((await e2e.app.api('POST', `/api/conversations/${offer.conversationId}/resolve`, {}, dana.token)).status).toBe(200);
    await eventually(() => e2e.app.twilio.messages().find((m) => m.To === phone && /Reply with a number from 1/.test(m.Body)));
    const { body } = await e2e.app.api('GET', `/api/conversations/${offer.conversationId}`, undefined, sam.token);
    const number = body.conversation.number as number;
    await e2e.app.sms(phone, '1');

    const banner = sup.getByTestId('csat-low-banner');
    await banner.waitFor();
    await expect(banner.textContent()).resolves.toContain('Low satisfaction score: 1 out of 5');
    await expect(banner.textContent()).resolves.toContain(`SMS #${number} in donor · handled by Dana Reyes`);
    expect(await axeViolations(sup)).toEqual([]);
    await screenshot(sup, 'csat-low-alert');

    // The Spanish-speaking admin gets it in Spanish.
    const spanish = admin.getByTestId('csat-low-banner');
    await spanish.waitFor();
    await expect(spanish.textContent()).resolves.toContain('Puntuación de satisfacción baja: 1 de 5');
    await expect(spanish.textContent()).resolves.toContain(`SMS #${number} en donor · atendida por Dana Reyes`);
    await spanish.getByRole('button', { name: 'Descartar' }).click();
    await spanish.waitFor({ state: 'detached' });

    // Open: the conversation shows with the donor's words.
    await banner.getByRole('button', { name: `Open #${number}` }).click();
    await sup.getByRole('log', { name: 'Messages' }).getByText('Did my gift arrive?').waitFor();
    expect(await axeViolations(sup)).toEqual([]);
  }, 150_000);
});
