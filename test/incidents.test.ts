import { createHmac, randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, contactIdentities, contacts, conversations, messages } from '../src/db/schema.js';
import { startFakeSlack, type FakeSlack } from './fakes/slack-api.js';
import { startSmtpSink, type SmtpSink } from './fakes/smtp-sink.js';
import { eventually, HOTLINE, randomPhone, startTestApp, type AgentSocket, type TestApp } from './helpers/harness.js';
import { inboundMail, type Mx } from './helpers/inbound-mail.js';
import { all, first, simulateCall, spoken } from './voice-helpers.js';

const DOMAIN = 'help.example.org';
const SIGNING_SECRET = 'slack-signing-secret-incidents-0123456789';
const STAFF_CHANNEL = 'C0STAFF0001';
const CRISIS_LINE = '+15005550111';
let app: TestApp;
let slack: FakeSlack;
let sink: SmtpSink;
let mx: Mx;
let supervisor: { id: string; token: string };
let agent: { id: string; token: string };
let agentSocket: AgentSocket;

beforeAll(async () => {
  slack = await startFakeSlack();
  sink = await startSmtpSink();
  const mail = await inboundMail(DOMAIN);
  mx = mail.mx;
  app = await startTestApp('incidents', {
    ...mail.env,
    SMTP_URL: sink.url,
    MAIL_FROM: 'Helpdesk <desk@help.example.org>',
    SLACK_BOT_TOKEN: slack.token,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
  });
  supervisor = await app.agent({ name: 'Sol Supervisor', role: 'supervisor', queues: ['donor'], available: false });
  // Nobody available: conversations wait in their queues, so nothing but the incident touches them.
  agent = await app.agent({ name: 'Ada Agent', queues: ['donor', 'volunteer'], available: false });
  agentSocket = await app.socket(agent.token);
  expect((await app.api('POST', '/api/inboxes', { kind: 'phone', address: CRISIS_LINE, queue: 'crisis', flow: 'crisis' })).status).toBe(
    201,
  );
}, 60_000);
afterAll(async () => {
  mx?.close();
  await app?.stop();
  await slack?.close();
  await sink?.close();
});
// Every test leaves no incident open: an open one changes what every later contact hears.
afterEach(async () => {
  const open = await app.api('GET', '/api/incidents?status=open', undefined, supervisor.token);
  for (const i of open.body.incidents) await app.api('POST', `/api/incidents/${i.id}/resolve`, {}, supervisor.token);
});

const db = () => app.sb.deps.db;
const textsTo = (phone: string) => app.twilio.messages().filter((m) => m.To === phone);

const conversation = async (id: string) => (await db().select().from(conversations).where(eq(conversations.id, id)))[0];

async function declare(body: Record<string, unknown>) {
  const r = await app.api('POST', '/api/incidents', body, supervisor.token);
  expect(r.status).toBe(201);
  return r.body.incident as { id: string; status: string; conversationIds: string[] };
}

async function slackDm(user: string, text: string) {
  slack.users.set(user, { id: user, name: 'Val Unteer' });
  const body = JSON.stringify({
    token: 'legacy',
    team_id: 'T0001',
    api_app_id: 'A0001',
    type: 'event_callback',
    event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    event: {
      type: 'message',
      team: 'T0001',
      channel: `D${user}`,
      channel_type: 'im',
      user,
      text,
      ts: `${Math.floor(Date.now() / 1000)}.000100`,
    },
  });
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  const res = await fetch(`${app.url}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': ts, 'x-slack-signature': signature },
    body,
  });
  expect(res.status).toBe(200);
}

describe('declaring an incident', () => {
  it('is for supervisors, checks its input, is audited, listed, shown to every agent and posted to staff Slack', async () => {
    const bare = { title: 'Donation page down', publicMessage: 'Our donation page is down; we are fixing it.' };
    expect((await app.api('POST', '/api/incidents', bare, agent.token)).status).toBe(403);
    expect((await app.api('POST', '/api/incidents', { title: 'x' }, supervisor.token)).status).toBe(400);
    const unknownQueue = await app.api('POST', '/api/incidents', { ...bare, queues: ['nope'] }, supervisor.token);
    expect(unknownQueue.status).toBe(400);
    expect(unknownQueue.body.error.message).toMatch(/queues: unknown queue nope/);
    expect((await app.api('PUT', '/api/crisis/settings', { staffSlackChannel: STAFF_CHANNEL })).status).toBe(200);

    const incident = await declare({ ...bare, publicMessage: { en: bare.publicMessage, es: 'Nuestra página de donaciones no funciona.' } });
    expect(incident).toMatchObject({
      title: 'Donation page down',
      status: 'open',
      queues: [],
      conversationIds: [],
      declaredBy: supervisor.id,
    });
    const pushed = await agentSocket.waitFor('incident.updated', (p) => p.incident.id === incident.id);
    expect(pushed.incident.status).toBe('open');

    const open = await app.api('GET', '/api/incidents?status=open', undefined, agent.token);
    expect(open.status).toBe(200);
    expect(open.body.incidents.map((i: any) => i.id)).toEqual([incident.id]);
    expect((await app.api('GET', '/api/incidents?status=bogus', undefined, agent.token)).status).toBe(400);
    const [entry] = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'incident.declare'), eq(auditLog.target, `incident:${incident.id}`)));
    expect(entry).toMatchObject({ actorId: supervisor.id, details: { title: 'Donation page down', queues: [] } });

    const post = await eventually(() => slack.callsTo('chat.postMessage').find((c) => c.params.channel === STAFF_CHANNEL));
    expect(post.params.text).toContain('Incident declared: Donation page down');

    const resolved = await app.api('POST', `/api/incidents/${incident.id}/resolve`, {}, supervisor.token);
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ incident: { status: 'resolved' }, told: 0, closed: 0 });
    const threaded = await eventually(() =>
      slack.callsTo('chat.postMessage').find((c) => c.params.channel === STAFF_CHANNEL && c.params.thread_ts),
    );
    expect(threaded.params.text).toContain('Incident resolved');
    expect((await app.api('GET', '/api/incidents?status=open', undefined, agent.token)).body.incidents).toEqual([]);
    expect((await app.api('POST', `/api/incidents/${incident.id}/resolve`, {}, supervisor.token)).status).toBe(409);
    await app.api('PUT', '/api/crisis/settings', { staffSlackChannel: null });
  });
});

describe('while an incident is open', () => {
  it('new SMS, email and Slack conversations get its public message as an auto-reply, in the contact’s language', async () => {
    await declare({
      title: 'Phoenix office closed',
      publicMessage: { en: 'Our Phoenix office is closed today.', es: 'Nuestra oficina de Phoenix está cerrada hoy.' },
    });
    const donor = randomPhone();
    await app.sms(donor, 'Can I drop off yard signs?');
    const reply = await eventually(() => textsTo(donor).find((m) => m.Body.includes('Phoenix')));
    expect(reply.Body).toBe('Our Phoenix office is closed today.');
    const c = await app.conversationOf(donor);
    const [m] = await db()
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, c.id), eq(messages.direction, 'outbound')));
    expect(m.metadata).toMatchObject({ system: 'incident' });

    // The same contact writing again in the same conversation hears it once.
    await app.sms(donor, 'ok thanks');
    await eventually(async () => (await db().select().from(messages).where(eq(messages.conversationId, c.id))).length >= 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(textsTo(donor)).toHaveLength(1);

    // A contact known to speak Spanish hears the Spanish text.
    const hablante = randomPhone();
    await app.sms(hablante, 'hola');
    const hc = await app.conversationOf(hablante);
    await db().update(contacts).set({ language: 'es' }).where(eq(contacts.id, hc.contactId));
    await app.api('POST', `/api/conversations/${hc.id}/resolve`, {}, supervisor.token);
    await app.sms(hablante, 'hola otra vez');
    await eventually(() => textsTo(hablante).find((m) => m.Body.includes('cerrada')));

    // A queue with its own auto-reply: that one message carries the incident (one mail, not two).
    expect((await app.api('PATCH', '/api/queues/volunteer', { autoReply: { open: 'Thanks! Your request is #{number}.' } })).status).toBe(
      200,
    );
    const writer = `writer-${randomBytes(3).toString('hex')}@example.net`;
    await mx.sendMail({ from: writer, to: `volunteer@${DOMAIN}`, subject: 'Shift tomorrow', text: 'Is my shift still on?' });
    const mail = await eventually(() => sink.mails.find((s) => s.envelope.to.includes(writer)));
    expect(mail.mail.text).toContain('Our Phoenix office is closed today.');
    expect(mail.mail.text).toMatch(/Thanks! Your request is #\d+\./);
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.mails.filter((s) => s.envelope.to.includes(writer))).toHaveLength(1);
    await app.api('PATCH', '/api/queues/volunteer', { autoReply: null });

    await slackDm('UINCIDENT1', 'hello, quick question');
    const dm = await eventually(() =>
      slack.callsTo('chat.postMessage').find((c) => c.params.channel === 'DUINCIDENT1' && String(c.params.text).includes('Phoenix')),
    );
    expect(dm.params.text).toContain('Our Phoenix office is closed today.');
  });

  it('only queues the incident names hear it, and a crisis text gets the resources instead', async () => {
    await declare({
      title: 'Volunteer training cancelled',
      publicMessage: 'Tonight’s volunteer training is cancelled.',
      queues: ['volunteer'],
    });
    const donor = randomPhone();
    await app.sms(donor, 'Question about my receipt');
    const c = await app.conversationOf(donor);
    expect(c.queueKey).toBe('donor');
    const volunteer = `vol-${randomBytes(3).toString('hex')}@example.net`;
    await mx.sendMail({ from: volunteer, to: `volunteer@${DOMAIN}`, subject: 'Training', text: 'Where is training?' });
    await eventually(() => sink.mails.find((s) => s.envelope.to.includes(volunteer) && s.mail.text?.includes('cancelled')));
    expect(textsTo(donor)).toHaveLength(0);

    await declare({ title: 'Everything', publicMessage: 'General notice.' });
    const atRisk = randomPhone();
    await app.sms(atRisk, 'I want to kill myself');
    await eventually(() => textsTo(atRisk).find((m) => m.Body.includes('988')));
    await new Promise((r) => setTimeout(r, 300));
    expect(textsTo(atRisk).map((m) => m.Body)).toEqual([expect.stringContaining('988')]);
  });

  it('callers hear its public message before the menu (signed Twilio webhooks); a flow that cannot reach its queues does not', async () => {
    const incident = await declare({
      title: 'Donation page down',
      publicMessage: { en: 'Our donation page is down. Please try again later.', es: 'Nuestra página de donaciones no funciona.' },
      queues: ['donor'],
    });
    const call = simulateCall(app, { from: randomPhone(), to: HOTLINE });
    const twiml = await call.ring();
    const says = all(twiml, 'Say');
    expect(says[0].text).toBe('Our donation page is down. Please try again later.');
    expect(says[0].attrs.language).toBe('en-US');
    expect(says[1]).toMatchObject({ text: 'Nuestra página de donaciones no funciona.', attrs: { language: 'es-MX' } });
    // Before the menu: the language choice still follows, and the announcement is not inside it.
    const gather = first(twiml, 'Gather');
    expect(gather).toBeTruthy();
    expect(spoken(gather)).not.toContain('donation page is down');
    // The next step (the service menu) does not repeat it.
    expect(spoken(await call.press(twiml, '1'))).not.toContain('donation page is down');

    // The crisis line's flow reaches only the crisis queue: a donor incident is not its callers' business.
    const crisisCall = simulateCall(app, { from: randomPhone(), to: CRISIS_LINE });
    expect(spoken(await crisisCall.ring())).not.toContain('donation page');

    await app.api('POST', `/api/incidents/${incident.id}/resolve`, {}, supervisor.token);
    const after = simulateCall(app, { from: randomPhone(), to: HOTLINE });
    expect(spoken(await after.ring())).not.toContain('donation page');
  });
});

describe('suggesting and linking conversations', () => {
  it('suggests contacts whose texts name the incident, links with one click (audited, once), and refuses links once resolved', async () => {
    const incident = await declare({ title: 'Donation page down', publicMessage: 'Our donation page is down.' });
    const matching = randomPhone();
    const other = randomPhone();
    await app.sms(matching, "I tried to donate but the page won't load");
    await app.sms(other, 'When is the next phone bank?');
    const m = await app.conversationOf(matching);
    const o = await app.conversationOf(other);
    const hint = await agentSocket.waitFor('incident.suggested', (p) => p.conversationId === m.id);
    expect(hint).toMatchObject({ incidentId: incident.id, number: m.number, queue: 'donor' });
    await new Promise((r) => setTimeout(r, 200));
    expect(agentSocket.events.some((e) => e.event === 'incident.suggested' && e.payload.conversationId === o.id)).toBe(false);

    const suggested = await app.api('GET', `/api/incidents/${incident.id}/suggestions`, undefined, agent.token);
    expect(suggested.status).toBe(200);
    expect(suggested.body.conversations).toEqual([
      expect.objectContaining({
        conversationId: m.id,
        number: m.number,
        channel: 'sms',
        snippet: "I tried to donate but the page won't load",
      }),
    ]);

    const link = await app.api('POST', `/api/incidents/${incident.id}/conversations`, { conversationId: m.id }, agent.token);
    expect(link.status).toBe(200);
    expect(link.body.incident.conversationIds).toEqual([m.id]);
    await agentSocket.waitFor('incident.updated', (p) => p.incident.id === incident.id && p.incident.conversationIds.includes(m.id));
    const again = await app.api('POST', `/api/incidents/${incident.id}/conversations`, { conversationId: m.id }, agent.token);
    expect(again.body.incident.conversationIds).toEqual([m.id]);
    const links = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'incident.link'), eq(auditLog.target, `incident:${incident.id}`)));
    expect(links).toHaveLength(1);
    // Linked now: no longer suggested.
    expect((await app.api('GET', `/api/incidents/${incident.id}/suggestions`, undefined, agent.token)).body.conversations).toEqual([]);

    // An agent cannot link what it cannot see; unknown ids are 404s.
    const itAgent = await app.agent({ name: 'Ian IT', queues: ['it'], available: false });
    expect((await app.api('POST', `/api/incidents/${incident.id}/conversations`, { conversationId: o.id }, itAgent.token)).status).toBe(
      403,
    );
    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await app.api('POST', `/api/incidents/${missing}/conversations`, { conversationId: o.id }, agent.token)).status).toBe(404);
    expect((await app.api('POST', `/api/incidents/${incident.id}/conversations`, { conversationId: missing }, agent.token)).status).toBe(
      404,
    );

    // A link made by mistake is undone.
    await app.api('POST', `/api/incidents/${incident.id}/conversations`, { conversationId: o.id }, agent.token);
    const unlinked = await app.api('DELETE', `/api/incidents/${incident.id}/conversations/${o.id}`, undefined, agent.token);
    expect(unlinked.body.incident.conversationIds).toEqual([m.id]);

    await app.api('POST', `/api/incidents/${incident.id}/resolve`, {}, supervisor.token);
    const late = await app.api('POST', `/api/incidents/${incident.id}/conversations`, { conversationId: o.id }, agent.token);
    expect(late.status).toBe(409);
  });
});

describe('resolving an incident', () => {
  it('tells every linked contact on its own channel, respects opt-outs, closes the conversations with a disposition, and leaves risk-flagged ones open', async () => {
    const incident = await declare({ title: 'Donation page down', publicMessage: 'Our donation page is down.' });
    const sms = randomPhone();
    await app.sms(sms, 'the donation page is down?');
    const optedOut = randomPhone();
    await app.sms(optedOut, 'donation page broken');
    const atRisk = randomPhone();
    await app.sms(atRisk, 'the donation page is down and honestly I want to kill myself');
    const mailer = `donor-${randomBytes(3).toString('hex')}@example.net`;
    await mx.sendMail({ from: mailer, to: `donor@${DOMAIN}`, subject: 'Donation page', text: 'The page is down.' });
    await slackDm('UINCIDENT2', 'donation page seems down');

    const ids = [
      (await app.conversationOf(sms)).id,
      (await app.conversationOf(optedOut)).id,
      (await app.conversationOf(atRisk)).id,
      (await app.conversationOf(mailer)).id,
      (await app.conversationOf('UINCIDENT2')).id,
    ];
    for (const id of ids) {
      expect((await app.api('POST', `/api/incidents/${incident.id}/conversations`, { conversationId: id }, supervisor.token)).status).toBe(
        200,
      );
    }
    await app.sms(optedOut, 'STOP');
    await eventually(async () => (await db().select().from(contactIdentities).where(eq(contactIdentities.value, optedOut)))[0].optedOutAt);
    const before = app.twilio.messages().length;

    const r = await app.api(
      'POST',
      `/api/incidents/${incident.id}/resolve`,
      { message: { en: 'The donation page is back. Thank you for your patience!', es: 'La página de donaciones funciona de nuevo.' } },
      supervisor.token,
    );
    expect(r.status).toBe(200);
    const atRiskId = ids[2];
    expect(r.body).toMatchObject({ incident: { status: 'resolved' }, told: 4, closed: 4, keptOpen: [atRiskId] });

    await eventually(() => textsTo(sms).find((m) => m.Body.startsWith('The donation page is back')));
    await eventually(() => textsTo(atRisk).find((m) => m.Body.startsWith('The donation page is back')));
    await eventually(() => sink.mails.find((s) => s.envelope.to.includes(mailer) && s.mail.text?.includes('The donation page is back')));
    await eventually(() =>
      slack
        .callsTo('chat.postMessage')
        .find((c) => c.params.channel === 'DUINCIDENT2' && String(c.params.text).includes('The donation page is back')),
    );
    await new Promise((res) => setTimeout(res, 300));
    expect(textsTo(optedOut).filter((m) => m.Body.includes('back'))).toHaveLength(0);
    expect(app.twilio.messages().length - before).toBe(2);

    for (const id of [ids[0], ids[1], ids[3], ids[4]]) {
      expect(await conversation(id)).toMatchObject({ status: 'resolved', disposition: 'incident' });
    }
    expect((await conversation(atRiskId)).status).not.toBe('resolved');
    const [entry] = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'incident.resolve'), eq(auditLog.target, `incident:${incident.id}`)));
    expect(entry.details).toMatchObject({ linked: 5, told: 4, closed: 4, keptOpen: 1 });
    const pushed = await agentSocket.waitFor('incident.updated', (p) => p.incident.id === incident.id && p.incident.status === 'resolved');
    expect(pushed.incident.resolutionMessage).toMatchObject({ en: 'The donation page is back. Thank you for your patience!' });
  });

  it('is for supervisors, checks its input, and answers 404 for an unknown incident', async () => {
    const incident = await declare({ title: 'Site down', publicMessage: 'Our site is down.' });
    expect((await app.api('POST', `/api/incidents/${incident.id}/resolve`, {}, agent.token)).status).toBe(403);
    expect((await app.api('POST', `/api/incidents/${incident.id}/resolve`, { message: '' }, supervisor.token)).status).toBe(400);
    expect((await app.api('POST', `/api/incidents/${incident.id}/resolve`, { other: 1 }, supervisor.token)).status).toBe(400);
    expect((await app.api('POST', '/api/incidents/00000000-0000-4000-8000-000000000000/resolve', {}, supervisor.token)).status).toBe(404);
    expect((await app.api('POST', '/api/incidents/not-a-uuid/resolve', {}, supervisor.token)).status).toBe(400);

    // A disposition the supervisor names must be a known code; nothing changes otherwise.
    const phone = randomPhone();
    await app.sms(phone, 'is the site down?');
    const c = await app.conversationOf(phone);
    await app.api('POST', `/api/incidents/${incident.id}/conversations`, { conversationId: c.id }, supervisor.token);
    const unknown = await app.api('POST', `/api/incidents/${incident.id}/resolve`, { disposition: 'site-outage' }, supervisor.token);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/disposition: unknown code/);
    expect((await app.api('GET', `/api/incidents/${incident.id}`, undefined, agent.token)).body.incident.status).toBe('open');
    expect((await conversation(c.id)).status).toBe('waiting');
    expect((await app.api('POST', '/api/dispositions', { code: 'site-outage', label: 'Site outage' })).status).toBe(201);
    const known = await app.api('POST', `/api/incidents/${incident.id}/resolve`, { disposition: 'site-outage' }, supervisor.token);
    expect(known.body).toMatchObject({ closed: 1 });
    expect(await conversation(c.id)).toMatchObject({ status: 'resolved', disposition: 'site-outage' });
  });
});
