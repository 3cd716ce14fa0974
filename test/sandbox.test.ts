import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { loadConfig } from '../src/config.js';
import { SANDBOX_HOTLINE } from '../src/sandbox/secrets.js';
import { eventually, PUBLIC_URL, randomPhone, startTestApp, type TestApp } from './helpers/harness.js';

/** No vendor credentials at all, outside production: the sandbox is on by itself. */
const NO_VENDORS = { SANDBOX: '', TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '', INBOUND_SMTP_PORT: '0' };

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('sandbox', NO_VENDORS);
});
afterAll(async () => {
  await app?.stop();
});

const inbound = (body: object, token?: string | null) => app.api('POST', '/api/sandbox/inbound', body, token);
const outbound = async (to: string) =>
  (await app.api('GET', `/api/sandbox/outbound?contact=${encodeURIComponent(to)}`)).body.messages as any[];
const conversation = async (id: string, token?: string) => (await app.api('GET', `/api/conversations/${id}`, undefined, token)).body;

describe('the sandbox plays every vendor', () => {
  it('a text from the sandbox phone reaches an agent through the signed webhook; the reply lands on the phone and is reported delivered', async () => {
    const dana = await app.agent({ name: 'Dana', queues: ['donor'] });
    const sock = await app.socket(dana.token);
    const phone = randomPhone();

    const sent = await inbound({ channel: 'sms', from: phone, body: 'Can I change my monthly gift?' });
    expect(sent.status).toBe(202);
    expect(sent.body.delivered).toMatchObject({ channel: 'sms', status: 200 });
    const audit = (await app.api('GET', '/api/audit?action=sandbox.inbound')).body as { entries: { target: string }[] };
    expect(audit.entries.map((e) => e.target)).toContain('sandbox:sms');
    const offer = await sock.waitFor('reservation.created', (p) => p.contact.address === phone);
    expect(offer).toMatchObject({ channel: 'sms', queue: 'donor' });
    expect((await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, dana.token)).status).toBe(200);
    const c = await conversation(offer.conversationId, dana.token);
    expect(c.conversation.inboxAddress).toBe(SANDBOX_HOTLINE);

    const reply = await app.api(
      'POST',
      `/api/conversations/${offer.conversationId}/messages`,
      { body: 'Of course, which amount?' },
      dana.token,
    );
    expect(reply.status).toBe(201);
    const out = await eventually(async () => (await outbound(phone)).find((m) => m.body === 'Of course, which amount?'));
    expect(out).toMatchObject({ channel: 'sms', to: phone, from: SANDBOX_HOTLINE });
    expect(Date.parse(out.at)).not.toBeNaN();

    // queued → sent → delivered come back through /webhooks/twilio/sms/status, signed, and reach the desk.
    await sock.waitFor('message.updated', (p) => p.message.id === reply.body.message.id && p.message.status === 'sent');
    await sock.waitFor('message.updated', (p) => p.message.id === reply.body.message.id && p.message.status === 'delivered');
    expect(await eventually(async () => (await outbound(phone)).find((m) => m.status === 'delivered'))).toBeDefined();
    // Nothing went to a vendor (the harness' fake Twilio saw no request).
    expect(app.twilio.requests).toEqual([]);
  });

  it('the webhooks still verify: the sandbox signs with its own token, anything else is refused', async () => {
    const params = { MessageSid: 'SM' + '1'.repeat(32), From: randomPhone(), To: SANDBOX_HOTLINE, Body: 'forged', NumMedia: '0' };
    const wrong = twilio.getExpectedTwilioSignature('not-the-sandbox-token-0123456789', PUBLIC_URL + '/webhooks/twilio/sms', params);
    expect((await app.twilioPost('/webhooks/twilio/sms', params, { signature: wrong })).status).toBe(403);
    const good = twilio.getExpectedTwilioSignature(app.sb.deps.config.twilio.authToken!, PUBLIC_URL + '/webhooks/twilio/sms', params);
    expect((await app.twilioPost('/webhooks/twilio/sms', params, { signature: good })).status).toBe(200);
    const slack = await fetch(`${app.url}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-slack-signature': 'v0=00',
        'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
      },
      body: JSON.stringify({ type: 'event_callback', event: { type: 'message' } }),
    });
    expect(slack.status).toBe(403);
  });

  it('HELP is answered by the TwiML reply and STOP by the vendor, both shown on the phone', async () => {
    const phone = randomPhone();
    await inbound({ channel: 'sms', from: phone, body: 'HELP' });
    await inbound({ channel: 'sms', from: phone, body: 'STOP' });
    const shown = await outbound(phone);
    expect(shown.length).toBe(2);
    expect(shown[1].body).toMatch(/unsubscribed/);
    const all = (await app.api('GET', `/api/sandbox/messages?contact=${encodeURIComponent(phone)}`)).body.messages;
    expect(all.map((m: any) => m.direction)).toEqual(['inbound', 'outbound', 'inbound', 'outbound']);
  });

  it('a mail over the real inbound SMTP server reaches an agent; the reply is threaded and an answer without subject joins it', async () => {
    const eve = await app.agent({ name: 'Eve', queues: ['volunteer'] });
    const sock = await app.socket(eve.token);
    const from = `donor.${Date.now()}@example.org`;
    const domain = app.sb.deps.config.mail.inboundDomain;
    const sent = await inbound({
      channel: 'email',
      from,
      subject: 'Volunteering in March',
      body: 'Hello, can I help?',
      to: `volunteer@${domain}`,
    });
    expect(sent.status).toBe(202);
    const offer = await sock.waitFor('reservation.created', (p) => p.contact.address === from);
    expect(offer).toMatchObject({ channel: 'email', queue: 'volunteer' });
    await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, eve.token);
    await app.api('POST', `/api/conversations/${offer.conversationId}/messages`, { body: 'Yes! Which days suit you?' }, eve.token);
    const out = await eventually(async () => (await outbound(from)).find((m) => m.body.includes('Which days suit you?')));
    expect(out.subject).toBe('Re: Volunteering in March');
    expect(out.from).toBe(`volunteer@${domain}`);

    await inbound({ channel: 'email', from, body: 'Mondays, please.' });
    const joined = await sock.waitFor('message.created', (p) => p.message.body.startsWith('Mondays, please.'));
    expect(joined.conversationId).toBe(offer.conversationId);
  });

  it('a Slack DM reaches an agent under the contact’s name; the reply is posted in the thread', async () => {
    const fay = await app.agent({ name: 'Fay', queues: ['it'] });
    const sock = await app.socket(fay.token);
    // Slack DMs go to the default queue unless mapped: route this one to IT by moving it once it exists.
    const sent = await inbound({ channel: 'slack', from: 'Ana Lima', body: 'My laptop will not start' });
    expect(sent.status).toBe(202);
    const list = await eventually(async () => {
      const r = await app.api('GET', '/api/conversations?channel=slack');
      return r.body.conversations?.find((c: any) => c.channel === 'slack') ? r.body.conversations : undefined;
    });
    const conv = list.find((c: any) => c.channel === 'slack');
    const contact = (await app.api('GET', `/api/conversations/${conv.id}`)).body.contact;
    expect(contact.name).toBe('Ana Lima');
    const moved = await app.api('POST', `/api/conversations/${conv.id}/transfer`, { queue: 'it' });
    expect(moved.status).toBeLessThan(300);
    const offer = await sock.waitFor('reservation.created', (p) => p.conversationId === conv.id);
    await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, fay.token);
    await app.api('POST', `/api/conversations/${conv.id}/messages`, { body: 'Hold the power button 10 s' }, fay.token);
    const userId = (await app.api('GET', '/api/sandbox/messages?channel=slack')).body.messages[0].contact;
    const out = await eventually(async () => (await outbound(userId)).find((m) => m.body.includes('Hold the power button')));
    expect(out.body).toBe('*Fay:* Hold the power button 10 s');
  });

  it('is for admins only, and answers 400 for what no vendor would deliver', async () => {
    const gus = await app.agent({ name: 'Gus', queues: ['donor'], available: false });
    expect((await inbound({ channel: 'sms', from: randomPhone(), body: 'x' }, gus.token)).status).toBe(403);
    expect((await inbound({ channel: 'sms', from: randomPhone(), body: 'x' }, null)).status).toBe(401);
    expect((await app.api('GET', '/api/sandbox/outbound', undefined, gus.token)).status).toBe(403);
    expect((await inbound({ channel: 'sms', from: 'not a phone', body: 'x' })).status).toBe(400);
    expect((await inbound({ channel: 'fax', from: randomPhone(), body: 'x' })).status).toBe(400);
    expect((await inbound({ channel: 'email', from: 'a@example.org', body: 'x', to: 'someone@elsewhere.example' })).status).toBe(400);
  });
});

describe('when the sandbox is on', () => {
  const base = { NODE_ENV: 'development', JWT_SECRET: 'x'.repeat(32) };
  it('is on outside production without TWILIO_ACCOUNT_SID, or with SANDBOX=true; in production only with SANDBOX=true', () => {
    expect(loadConfig(base).sandbox).toEqual({ enabled: true, explicit: false });
    expect(loadConfig({ ...base, TWILIO_ACCOUNT_SID: 'AC1' }).sandbox.enabled).toBe(false);
    expect(loadConfig({ ...base, TWILIO_ACCOUNT_SID: 'AC1', SANDBOX: 'true' }).sandbox.enabled).toBe(true);
    expect(loadConfig({ ...base, SANDBOX: 'false' }).sandbox.enabled).toBe(false);
    expect(loadConfig({ ...base, NODE_ENV: 'production' }).sandbox.enabled).toBe(false);
    expect(loadConfig({ ...base, NODE_ENV: 'production', SANDBOX: 'true' }).sandbox).toEqual({ enabled: true, explicit: true });
    expect(() => loadConfig({ ...base, SANDBOX: 'yes' })).toThrow(/SANDBOX/);
  });
});

describe('in production without SANDBOX=true', () => {
  let prod: TestApp;
  beforeAll(async () => {
    prod = await startTestApp('sandbox-prod', { ...NO_VENDORS, NODE_ENV: 'production' });
  });
  afterAll(async () => {
    await prod?.stop();
  });

  it('the sandbox routes answer 404 and nothing is "sent" into it', async () => {
    expect((await prod.api('POST', '/api/sandbox/inbound', { channel: 'sms', from: randomPhone(), body: 'hi' })).status).toBe(404);
    expect((await prod.api('GET', '/api/sandbox/outbound')).status).toBe(404);
    expect((await prod.api('GET', '/api/sandbox')).status).toBe(404);
    expect(prod.sb.deps.channels.sms).toBeUndefined();
    expect(prod.sb.deps.channels.email).toBeUndefined();
  });
});
