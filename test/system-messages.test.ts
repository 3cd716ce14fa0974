import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../src/core/audit/record-audit.js';
import { contactText } from '../src/core/contact-texts.js';
import { sendSystemMessage } from '../src/core/conversations/send-system-message.js';
import { auditLog } from '../src/db/schema.js';
import { eventually, randomPhone, startTestApp, type TestApp } from './helpers/harness.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('system-messages');
});
afterAll(async () => {
  await app?.stop();
});

/** The open conversation of the contact who texted from `phone`. */
async function conversationOf(phone: string) {
  const db = app.sb.deps.db;
  const identity = await eventually(() => db.query.contactIdentities.findFirst({ where: (i, { eq }) => eq(i.value, phone) }));
  return eventually(() => db.query.conversations.findFirst({ where: (c, { eq }) => eq(c.contactId, identity.contactId) }));
}

describe('shared pieces other features build on', () => {
  it('numbers conversations from 1000, in order, and shows the number in the API', async () => {
    const a = randomPhone();
    const b = randomPhone();
    await app.sms(a, 'first');
    await app.sms(b, 'second');
    const list = await app.api('GET', '/api/conversations?status=all');
    const numbers = list.body.conversations.map((c: any) => c.number);
    expect(numbers).toEqual([1001, 1000]);
  });

  it('sends an automatic message on the conversation channel, and none to a number that texted STOP', async () => {
    const donor = randomPhone();
    await app.sms(donor, 'hello');
    const conv = await conversationOf(donor);
    const sent = await sendSystemMessage(app.sb.deps, conv, { body: 'We got your message (#' + conv.number + ')', kind: 'auto-reply' });
    expect(sent?.metadata).toMatchObject({ system: 'auto-reply' });
    await eventually(() => app.twilio.messages().find((m) => m.To === donor && m.Body.startsWith('We got your message')));

    await app.sms(donor, 'STOP');
    expect(await sendSystemMessage(app.sb.deps, conv, { body: 'after stop', kind: 'notice' })).toBeNull();
  });

  it('keeps contact texts per language and fills placeholders', () => {
    expect(contactText('sms.help', 'es')).toMatch(/STOP/);
    expect(contactText('sms.help', null)).toMatch(/^You reached/);
  });

  it('appends audit entries', async () => {
    await recordAudit(app.sb.deps.db, { actorId: null, action: 'auth.login_failed', target: 'agent:nobody', ip: '192.0.2.1' });
    const [row] = await app.sb.deps.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login_failed'));
    expect(row).toMatchObject({ target: 'agent:nobody', ip: '192.0.2.1', details: {} });
  });
});
