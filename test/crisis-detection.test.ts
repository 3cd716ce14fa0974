import { createHmac, randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, conversations, crisisTerms, messages } from '../src/db/schema.js';
import { runRequestTimers } from '../src/core/requests/timers.js';
import { startFakeSlack, type FakeSlack } from './fakes/slack-api.js';
import { eventually, HOTLINE, randomPhone, startTestApp, type AgentSocket, type TestApp } from './helpers/harness.js';
import { inboundMail, type Mx } from './helpers/inbound-mail.js';
import { first, pathOf, recordingSid, simulateCall, spoken } from './voice-helpers.js';

const DOMAIN = 'help.example.org';
const SIGNING_SECRET = 'slack-signing-secret-0123456789abcdef';
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
let app: TestApp;
let slack: FakeSlack;
let mx: Mx;
let supervisor: { id: string; token: string };
let watch: AgentSocket;

beforeAll(async () => {
  slack = await startFakeSlack();
  const mail = await inboundMail(DOMAIN);
  mx = mail.mx;
  app = await startTestApp('crisis-detection', {
    ...mail.env,
    SLACK_BOT_TOKEN: slack.token,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    METRICS_TOKEN,
  });
  supervisor = await app.agent({ name: 'Sam Supervisor', role: 'supervisor', queues: ['crisis'], available: false });
  watch = await app.socket(supervisor.token);
}, 60_000);
afterAll(async () => {
  mx?.close();
  await app?.stop();
  await slack?.close();
});

const db = () => app.sb.deps.db;

const textsTo = (phone: string) => app.twilio.messages().filter((m) => m.To === phone);

describe('a crisis texted by SMS', () => {
  it('flags the conversation, moves it to the crisis queue ahead of everyone, alerts supervisors and sends the resources once', async () => {
    const donor = randomPhone();
    const ordinary = randomPhone();
    await app.sms(ordinary, 'When is the next phone bank?');
    const r = await app.sms(donor, "Hi. I can't do this anymore, I'm going to kill myself tonight");
    expect(r.status).toBe(200);

    const c = await app.conversationOf(donor);
    expect(c).toMatchObject({ queueKey: 'crisis', status: 'waiting', risk: { level: 'high', categories: ['self-harm'] } });
    expect(c.risk!.reasons).toEqual(expect.arrayContaining([expect.stringMatching(/^self-harm: .*kill myself/)]));
    expect(c.priority).toBeGreaterThanOrEqual(1100);
    const alert = await watch.waitFor('crisis.detected', (p) => p.conversationId === c.id);
    expect(alert).toMatchObject({ number: c.number, queue: 'crisis', channel: 'sms', level: 'high' });

    const resources = await eventually(() => textsTo(donor).find((m) => m.Body.includes('988')));
    expect(resources.Body).toMatch(/911/);
    // More of the same: no second resources text.
    await app.sms(donor, 'I have the pills ready');
    await eventually(async () => (await db().select().from(messages).where(eq(messages.conversationId, c.id))).length >= 3);
    await new Promise((res) => setTimeout(res, 300));
    expect(textsTo(donor).filter((m) => m.Body.includes('988'))).toHaveLength(1);

    const detail = await app.api('GET', `/api/conversations/${c.id}`, undefined, supervisor.token);
    expect(detail.body.conversation.risk).toMatchObject({ level: 'high', reasons: c.risk!.reasons });
    expect(detail.body.messages.find((m: any) => m.metadata?.system === 'crisis-resources')).toBeTruthy();
    const ordinaryConv = await app.conversationOf(ordinary);
    expect(ordinaryConv).toMatchObject({ queueKey: 'donor', risk: null });
  });

  it('answers a Spanish text with the Spanish resources', async () => {
    const donor = randomPhone();
    await app.sms(donor, 'ya no quiero vivir');
    const c = await app.conversationOf(donor);
    expect(c).toMatchObject({ queueKey: 'crisis', risk: { level: 'high' } });
    const resources = await eventually(() => textsTo(donor).find((m) => m.Body.includes('988')));
    expect(resources.Body).toMatch(/AYUDA/);
  });

  it('keeps an assigned conversation with its agent and alerts the agent and supervisors', async () => {
    const dana = await app.agent({ name: 'Dana', queues: ['donor'] });
    const danaSock = await app.socket(dana.token);
    const donor = randomPhone();
    await app.sms(donor, 'Question about my receipt');
    const offer = await danaSock.waitFor('reservation.created', (p) => p.contact.address === donor);
    expect((await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, dana.token)).status).toBe(200);

    await app.sms(donor, 'honestly there is no reason to live anymore');
    const alert = await danaSock.waitFor('crisis.detected', (p) => p.conversationId === offer.conversationId);
    expect(alert).toMatchObject({ level: 'high', assigneeId: dana.id, queue: 'donor' });
    await watch.waitFor('crisis.detected', (p) => p.conversationId === offer.conversationId);
    const c = await app.conversationOf(donor);
    expect(c).toMatchObject({ queueKey: 'donor', status: 'assigned', assigneeId: dana.id, risk: { level: 'high' } });

    // Closing it needs a note saying what was done.
    const bare = await app.api('POST', `/api/conversations/${c.id}/resolve`, {}, dana.token);
    expect(bare.status).toBe(400);
    expect(bare.body.error.message).toMatch(/note/);
    const noted = await app.api(
      'POST',
      `/api/conversations/${c.id}/resolve`,
      { note: 'Warm transfer to 988; stayed on until connected.' },
      dana.token,
    );
    expect(noted.status).toBe(200);
  });

  it('is never closed automatically: a stale pending risk-flagged conversation stays, an ordinary one is resolved', async () => {
    const paz = await app.agent({ name: 'Paz', queues: ['donor'], available: false });
    // Outbound texts go from a hotline number.
    expect((await app.api('POST', '/api/inboxes', { kind: 'phone', address: HOTLINE, queue: 'donor' })).status).toBe(201);
    // Conversations Paz opened (outbound), so nobody else's offers get in the way.
    const open = async (phone: string) => {
      const r = await app.api(
        'POST',
        '/api/conversations',
        { channel: 'sms', to: phone, queue: 'donor', body: 'Following up on your gift.' },
        paz.token,
      );
      expect(r.status).toBe(201);
      return r.body.conversation.id as string;
    };
    const riskPhone = randomPhone();
    const atRisk = await open(riskPhone);
    const ordinary = await open(randomPhone());
    await app.sms(riskPhone, 'I feel like such a burden to everyone');
    await eventually(async () => (await db().select().from(conversations).where(eq(conversations.id, atRisk)))[0].risk);
    for (const id of [atRisk, ordinary]) {
      expect((await app.api('PATCH', `/api/conversations/${id}`, { status: 'pending' }, paz.token)).status).toBe(200);
    }
    await db()
      .update(conversations)
      .set({ pendingSince: new Date(Date.now() - 30 * 24 * 3600 * 1000) })
      .where(sql`${conversations.id} in (${atRisk}, ${ordinary})`);
    const status = async (id: string) => (await db().select().from(conversations).where(eq(conversations.id, id)))[0].status;
    // The reconciler runs the same timers every second; either may be the one that resolves it.
    await runRequestTimers(app.sb.deps);
    await eventually(async () => (await status(ordinary)) === 'resolved');
    await runRequestTimers(app.sb.deps);
    expect(await status(atRisk)).toBe('pending');
  });

  it('ignores a redelivered webhook', async () => {
    const donor = randomPhone();
    const sid = 'SM' + randomBytes(16).toString('hex');
    await app.sms(donor, 'I want to end my life', { MessageSid: sid });
    await app.sms(donor, 'I want to end my life', { MessageSid: sid });
    const c = await app.conversationOf(donor);
    await eventually(() => textsTo(donor).length === 1);
    await new Promise((res) => setTimeout(res, 300));
    expect(textsTo(donor)).toHaveLength(1);
    expect(
      await db()
        .select()
        .from(messages)
        .where(and(eq(messages.conversationId, c.id), eq(messages.direction, 'inbound'))),
    ).toHaveLength(1);
  });

  it('sends no resources to someone threatening staff, but flags and routes the threat', async () => {
    const caller = randomPhone();
    await app.sms(caller, "I'm going to shoot up your office tomorrow");
    const c = await app.conversationOf(caller);
    expect(c).toMatchObject({ queueKey: 'crisis', risk: { level: 'high', categories: ['violence'] } });
    await watch.waitFor('crisis.detected', (p) => p.conversationId === c.id);
    await new Promise((res) => setTimeout(res, 300));
    expect(textsTo(caller)).toHaveLength(0);
  });
});

describe('a crisis on every other channel', () => {
  it('email: the subject and the new text count, the quoted history does not', async () => {
    const quotedOnly = `ops-${randomBytes(3).toString('hex')}@example.net`;
    await mx.sendMail({
      from: quotedOnly,
      to: `donor@${DOMAIN}`,
      subject: 'Re: your last email',
      text: 'Thanks, all sorted now.\n\nOn Mon, Jan 5, 2026 at 9:00 AM Someone <x@example.net> wrote:\n> I want to kill myself\n> please help',
    });
    const quiet = await app.conversationOf(quotedOnly);
    expect(quiet).toMatchObject({ queueKey: 'donor', risk: null });

    const writer = `writer-${randomBytes(3).toString('hex')}@example.net`;
    await mx.sendMail({
      from: writer,
      to: `donor@${DOMAIN}`,
      subject: "I can't go on anymore",
      text: 'Sorry to write here. I have no one else.',
    });
    const flagged = await app.conversationOf(writer);
    expect(flagged).toMatchObject({ queueKey: 'crisis', risk: { level: 'medium', reasons: ['self-harm: can not go on anymore'] } });
    await watch.waitFor('crisis.detected', (p) => p.conversationId === flagged.id && p.channel === 'email');
  });

  it('Slack: a direct message', async () => {
    slack.users.set('UCRISIS1', { id: 'UCRISIS1', name: 'Vol Unteer' });
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
        channel: 'DCRISIS1',
        channel_type: 'im',
        user: 'UCRISIS1',
        text: 'there is an active shooter at the field office',
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
    const alert = await watch.waitFor('crisis.detected', (p) => p.channel === 'slack');
    expect(alert).toMatchObject({ queue: 'crisis', level: 'high', categories: ['emergency'] });
  });

  it('voicemail: the transcription arriving later moves the voicemail to the crisis queue', async () => {
    const from = randomPhone();
    const call = simulateCall(app, { from, to: HOTLINE });
    const menu = await call.press(await call.ring(), '1');
    // Straight to the crisis line's voicemail is not needed: a donor voicemail after the menu's hours check is enough.
    const queued = await call.press(menu, '1');
    expect(spoken(queued)).toMatch(/donor|hold/i);
    const c0 = await app.conversationOf(from);
    const recSid = recordingSid();
    await app.twilioPost('/webhooks/twilio/voice/voicemail?flow=main&node=voicemail&lang=en', {
      CallSid: call.sid,
      AccountSid: app.config.twilio.accountSid!,
      From: from,
      To: HOTLINE,
      CallStatus: 'in-progress',
      RecordingSid: recSid,
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/${recSid}`,
      RecordingDuration: '20',
    });
    await call.status('completed', { CallDuration: '40' });
    const t = await app.twilioPost('/webhooks/twilio/voice/transcription', {
      TranscriptionSid: 'TR' + randomBytes(16).toString('hex'),
      TranscriptionText: 'Hi this is Pat. My husband is beating me and I am scared. Please call back.',
      TranscriptionStatus: 'completed',
      RecordingSid: recSid,
      CallSid: call.sid,
    });
    expect(t.status).toBe(204);
    const c = await eventually(async () => {
      const [row] = await db().select().from(conversations).where(eq(conversations.id, c0.id));
      return row.risk ? row : null;
    });
    expect(c).toMatchObject({ queueKey: 'crisis', risk: { level: 'high', categories: ['emergency'] } });
  });

  it('IVR speech: a caller who says it at the menu skips to the crisis queue, and their words stay with the call', async () => {
    const from = randomPhone();
    const call = simulateCall(app, { from, to: HOTLINE });
    const lang = await call.ring();
    const menu = await call.press(lang, '1');
    expect(first(menu, 'Gather')).toBeTruthy();
    const answer = await call.press(menu, '', { SpeechResult: 'I just want to die', Confidence: '0.91' });
    expect(spoken(answer)).toMatch(/crisis counselor/);
    const c = await app.conversationOf(from);
    expect(c).toMatchObject({ channel: 'voice', queueKey: 'crisis', risk: { level: 'high' } });
    const [m] = await db().select().from(messages).where(eq(messages.conversationId, c.id));
    expect(m.body).toContain('The caller said: "I just want to die"');
    expect(pathOf(first(answer, 'Redirect').text.trim())).toContain('/webhooks/twilio/voice/wait');
  });
});

describe('detection never costs a message', () => {
  it('a broken admin term is logged and counted, and the text is stored and routed as usual', async () => {
    // Bad data that got past the API (a hand edit): the check fails, ingestion does not. A hand
    // edit reaches the processes' copies of the phrases within ADMIN_CACHE_TTL_MS, or at once when announced.
    await db().insert(crisisTerms).values({ language: 'en', level: 'high', phrase: '(unbalanced' });
    app.sb.deps.adminCache.changed('crisis-terms');
    try {
      const donor = randomPhone();
      const r = await app.sms(donor, 'I want to kill myself');
      expect(r.status).toBe(200);
      const c = await app.conversationOf(donor);
      expect(c).toMatchObject({ queueKey: 'donor', risk: null });
      expect(await db().select().from(messages).where(eq(messages.conversationId, c.id))).toHaveLength(1);
      const metrics = await (await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
      expect(metrics).toMatch(/^switchboard_crisis_check_errors_total [1-9]/m);
    } finally {
      await db().delete(crisisTerms).where(eq(crisisTerms.phrase, '(unbalanced'));
      app.sb.deps.adminCache.changed('crisis-terms');
    }
  });
});

describe('GET/PUT /api/crisis/terms', () => {
  it('lets an admin add phrases per language and level, checked on the next text, and audits the change', async () => {
    const agent = await app.agent({ name: 'Ann Agent', available: false });
    expect((await app.api('GET', '/api/crisis/terms', undefined, agent.token)).status).toBe(403);
    expect((await app.api('PUT', '/api/crisis/terms', { terms: {} }, agent.token)).status).toBe(403);

    const bad = await app.api('PUT', '/api/crisis/terms', { terms: { en: { high: ['code purple', '(broken'] } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/terms\.en\.high: .*unbalanced/);
    expect(await db().select().from(crisisTerms)).toHaveLength(0);

    const put = await app.api('PUT', '/api/crisis/terms', { terms: { en: { high: ['code purple'] }, es: { medium: ['clave morada'] } } });
    expect(put.status).toBe(200);
    expect(put.body.terms).toEqual({ en: { high: ['code purple'], medium: [] }, es: { high: [], medium: ['clave morada'] } });
    expect(put.body.builtIn.en.high.length).toBeGreaterThan(20);
    const got = await app.api('GET', '/api/crisis/terms');
    expect(got.body.terms).toEqual(put.body.terms);

    const volunteer = randomPhone();
    await app.sms(volunteer, 'CODE PURPLE at the east entrance');
    const c = await app.conversationOf(volunteer);
    expect(c).toMatchObject({ queueKey: 'crisis', risk: { level: 'high', reasons: ['self-harm: code purple'] } });

    const [entry] = await db().select().from(auditLog).where(eq(auditLog.action, 'crisis.terms.update'));
    expect(entry.details).toMatchObject({
      count: 2,
      added: expect.arrayContaining([{ language: 'en', level: 'high', phrase: 'code purple' }]),
    });
    expect((await app.api('PUT', '/api/crisis/terms', { terms: [] })).body.terms.en.high).toEqual([]);
  });

  it('lets an admin replace the resources text', async () => {
    const put = await app.api('PUT', '/api/crisis/settings', {
      resourcesText: { en: 'Call 988 or our line at 555-0100.', es: 'Llame al 988.' },
    });
    expect(put.status).toBe(200);
    try {
      const donor = randomPhone();
      await app.sms(donor, 'I want to die');
      const text = await eventually(() => textsTo(donor)[0]);
      expect(text.Body).toBe('Call 988 or our line at 555-0100.');
    } finally {
      await app.api('PUT', '/api/crisis/settings', { resourcesText: null });
    }
    expect((await app.api('PUT', '/api/crisis/settings', { staffSlackChannel: 'not a channel' })).status).toBe(400);
  });

  it('lists the open risks for a reloaded wallboard', async () => {
    const list = await app.api('GET', '/api/crisis/conversations', undefined, supervisor.token);
    expect(list.status).toBe(200);
    expect(list.body.conversations.length).toBeGreaterThan(0);
    expect(list.body.conversations[0]).toMatchObject({ conversationId: expect.any(String), level: expect.stringMatching(/high|medium/) });
  });
});
