import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from './fakes/smtp-sink.js';
import { eventually, HOTLINE, randomPhone, startTestApp, type TestApp } from './helpers/harness.js';
import { inboundMail, type Mx } from './helpers/inbound-mail.js';

const DOMAIN = 'help.example.org';
let app: TestApp;
let sink: SmtpSink;
let mx: Mx;
beforeAll(async () => {
  sink = await startSmtpSink();
  const mail = await inboundMail(DOMAIN);
  mx = mail.mx;
  app = await startTestApp('requests-outbound', {
    ...mail.env,
    SMTP_URL: sink.url,
    MAIL_FROM: 'Helpdesk <desk@help.example.org>',
  });
  await app.api('POST', '/api/inboxes', { kind: 'phone', address: HOTLINE, queue: 'donor' });
}, 60_000);
afterAll(async () => {
  mx?.close();
  await app?.stop();
  await sink?.close();
});

const count = async (table: 'conversations' | 'messages' | 'contacts') =>
  ((await app.sb.deps.db.execute(sql`select count(*)::int as n from ${sql.identifier(table)}`)) as unknown as [{ n: number }])[0].n;

describe('an agent starts a conversation', () => {
  it('texts a new number: the conversation is theirs and the SMS goes out from the queue’s number', async () => {
    const ana = await app.agent({ name: 'Ana', queues: ['donor'], available: false });
    const to = randomPhone();
    const r = await app.api(
      'POST',
      '/api/conversations',
      { channel: 'sms', to, queue: 'donor', body: 'Hi! Your donation receipt is ready.' },
      ana.token,
    );
    expect(r.status).toBe(201);
    expect(r.body.conversation).toMatchObject({ channel: 'sms', queue: 'donor', status: 'assigned', assigneeId: ana.id });
    expect(r.body.conversation.number).toBeGreaterThanOrEqual(1000);
    const sent = await eventually(() => app.twilio.messages().find((m) => m.To === to));
    expect(sent).toMatchObject({ From: HOTLINE, Body: 'Hi! Your donation receipt is ready.' });

    // The donor answers: it joins that conversation, still Ana's.
    await app.sms(to, 'Thanks!');
    const detail = await eventually(async () => {
      const d = await app.api('GET', `/api/conversations/${r.body.conversation.id}`, undefined, ana.token);
      return d.body.messages.length === 2 ? d.body : undefined;
    });
    expect(detail.conversation).toMatchObject({ status: 'assigned', assigneeId: ana.id });
    expect(detail.contact.identities).toEqual([{ kind: 'phone', value: to, optedOut: false }]);

    // A second outbound SMS while that one is open is pointed to it.
    const again = await app.api('POST', '/api/conversations', { channel: 'sms', to, queue: 'donor', body: 'again' }, ana.token);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain(`#${r.body.conversation.number}`);
  });

  it('refuses a number that texted STOP with 409 opted_out, storing nothing', async () => {
    const ben = await app.agent({ name: 'Ben', queues: ['donor'], available: false });
    const to = randomPhone();
    await app.sms(to, 'STOP');
    const before = [await count('conversations'), await count('messages'), await count('contacts')];
    const r = await app.api('POST', '/api/conversations', { channel: 'sms', to, queue: 'donor', body: 'Can we talk?' }, ben.token);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('opted_out');
    expect([await count('conversations'), await count('messages'), await count('contacts')]).toEqual(before);
    expect(app.twilio.messages().some((m) => m.To === to)).toBe(false);
  });

  it('emails a partner: a new thread with its own subject; the partner’s reply joins it', async () => {
    const cy = await app.agent({ name: 'Cy', queues: ['partner'], available: false });
    const r = await app.api(
      'POST',
      '/api/conversations',
      { channel: 'email', to: 'Jordan@Partner-Org.example', queue: 'partner', subject: 'Your 2027 endorsement', body: 'Hello Jordan' },
      cy.token,
    );
    expect(r.status).toBe(201);
    const mail = await eventually(() => sink.mails.find((m) => m.envelope.to.includes('jordan@partner-org.example')));
    expect(mail.mail.subject).toBe('Your 2027 endorsement');
    expect(mail.mail.text?.trim()).toBe('Hello Jordan');
    expect(mail.mail.replyTo?.text).toBe(`partner@${DOMAIN}`);

    await mx.sendMail({
      from: 'Jordan <jordan@partner-org.example>',
      to: `partner@${DOMAIN}`,
      subject: 'Re: Your 2027 endorsement',
      inReplyTo: mail.mail.messageId,
      references: [mail.mail.messageId!],
      text: 'Count us in.',
    });
    await eventually(async () => {
      const d = await app.api('GET', `/api/conversations/${r.body.conversation.id}`, undefined, cy.token);
      return d.body.messages.some((m: any) => m.direction === 'inbound' && m.body.includes('Count us in.'));
    });
  });

  it('checks input and permissions, storing nothing', async () => {
    const dee = await app.agent({ name: 'Dee', queues: ['donor'], available: false });
    const before = await count('conversations');
    const cases: [unknown, number][] = [
      [{ channel: 'sms', to: '555-1234', queue: 'donor', body: 'x' }, 400],
      [{ channel: 'sms', to: '+15551234567', queue: 'donor', body: '   ' }, 400],
      [{ channel: 'email', to: 'not-an-address', queue: 'donor', body: 'x' }, 400],
      [{ channel: 'voice', to: '+15551234567', queue: 'donor', body: 'x' }, 400],
      [{ channel: 'sms', to: '+15551234567', queue: 'it', body: 'x' }, 403],
      [{ channel: 'sms', to: '+15551234567', queue: 'donor', body: 'x', extra: 1 }, 400],
    ];
    for (const [body, status] of cases)
      expect([(await app.api('POST', '/api/conversations', body, dee.token)).status, body]).toEqual([status, body]);
    expect((await app.api('POST', '/api/conversations', { channel: 'sms', to: '+15551234567', queue: 'nope', body: 'x' })).status).toBe(
      404,
    );
    expect(await count('conversations')).toBe(before);
  });
});
