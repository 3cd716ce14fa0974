import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTACT_TEXTS } from '../src/core/contact-texts.js';
import { eventually, randomPhone, startTestApp, type TestApp } from './helpers/harness.js';

/**
 * Texts we send on our own follow the contact's language (issue 11): the SMS HELP reply and a
 * queue's auto-reply, which an admin writes in English and Spanish.
 */
let app: TestApp;
const number = `+1500555${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
beforeAll(async () => {
  app = await startTestApp('contact-texts-languages');
  const q = await app.api('POST', '/api/queues', {
    key: 'lang-q',
    name: 'Languages',
    autoReply: { open: { en: 'Got it: request #{number}.', es: 'Recibido: solicitud #{number}.' } },
  });
  expect(q.status).toBe(201);
  expect((await app.api('POST', '/api/inboxes', { kind: 'phone', address: number, queue: 'lang-q' })).status).toBe(201);
});
afterAll(async () => {
  await app?.stop();
});

const sentTo = (phone: string) => app.twilio.messages().filter((m) => m.To === phone);
const contactOf = async (phone: string) =>
  eventually(async () =>
    (await app.api('GET', '/api/conversations?status=all')).body.conversations.find((c: any) => c.contact?.address === phone),
  );

describe('texts follow the contact language', () => {
  it('HELP from a number we do not know is answered in English', async () => {
    const r = await app.sms(randomPhone(), 'HELP', { To: number });
    expect(r.text).toContain(CONTACT_TEXTS['sms.help'].en);
  });

  it('a contact set to Spanish gets HELP and the next auto-reply in Spanish', async () => {
    const phone = randomPhone();
    await app.sms(phone, 'Hello, a question', { To: number });
    expect((await eventually(() => sentTo(phone)[0])).Body).toMatch(/^Got it: request #\d+\.$/);
    const first = await contactOf(phone);
    expect((await app.api('PATCH', `/api/contacts/${first.contactId}`, { language: 'es' })).status).toBe(200);

    const help = await app.sms(phone, 'HELP', { To: number });
    expect(help.text).toContain(CONTACT_TEXTS['sms.help'].es);

    const resolved = await app.api('POST', `/api/conversations/${first.id}/resolve`, {});
    expect(resolved.status).toBe(200);
    await app.sms(phone, 'Hola otra vez', { To: number });
    expect((await eventually(() => sentTo(phone).find((m) => m.Body.startsWith('Recibido')))).Body).toMatch(/^Recibido: solicitud #\d+\.$/);
  });
});
