import { createHmac, randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ratingToken } from '../src/core/csat/rating-link.js';
import { conversations, csatSurveys, messages } from '../src/db/schema.js';
import { startFakeSlack, type FakeSlack } from './fakes/slack-api.js';
import { startSmtpSink, type SmtpSink } from './fakes/smtp-sink.js';
import { eventually, randomPhone, startTestApp, type AgentSocket, type TestApp } from './helpers/harness.js';
import { inboundMail, type Mx } from './helpers/inbound-mail.js';

const SIGNING_SECRET = 'slack-signing-secret-csat-0123456789';
const DOMAIN = 'help.example.org';
let app: TestApp;
let slack: FakeSlack;
let sink: SmtpSink;
let mx: Mx;
let dana: { id: string; token: string };
let danaSocket: AgentSocket;
let sue: { id: string; token: string };
let patSocket: AgentSocket;
let sueSocket: AgentSocket;

beforeAll(async () => {
  slack = await startFakeSlack();
  sink = await startSmtpSink();
  const mail = await inboundMail(DOMAIN);
  mx = mail.mx;
  app = await startTestApp('csat-surveys', {
    SLACK_BOT_TOKEN: slack.token,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    ...mail.env,
    SMTP_URL: sink.url,
    MAIL_FROM: 'Helpdesk <desk@help.example.org>',
  });
  dana = await app.agent({ name: 'Dana', queues: ['donor', 'volunteer', 'crisis'], capacity: { sms: 10, email: 10, slack: 10 } });
  danaSocket = await app.socket(dana.token);
  sue = await app.agent({ name: 'Sue', role: 'supervisor', queues: ['donor', 'partner'], available: false });
  sueSocket = await app.socket(sue.token);
  // Supervises IT only: the donor queue's low scores are not hers.
  const pat = await app.agent({ name: 'Pat', role: 'supervisor', queues: ['it'], available: false });
  patSocket = await app.socket(pat.token);
}, 60_000);
afterAll(async () => {
  mx?.close();
  await app?.stop();
  await slack?.close();
  await sink?.close();
});

const db = () => app.sb.deps.db;
const surveyOf = async (conversationId: string) =>
  (await db().select().from(csatSurveys).where(eq(csatSurveys.conversationId, conversationId)))[0];
const smsTo = (phone: string) => app.twilio.messages().filter((m) => m.To === phone);
const conversationsOfPhone = async (phone: string) =>
  (await db().execute(
    sql`select c.id, c.status from conversations c join contact_identities i on i.contact_id = c.contact_id
        where i.kind = 'phone' and i.value = ${phone} order by c.created_at`,
  )) as unknown as { id: string; status: string }[];

/** Dana takes the contact's next offer on `channel`, from `address`. */
async function accept(match: (p: any) => boolean): Promise<string> {
  const offer = await danaSocket.waitFor('reservation.created', match);
  const r = await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, dana.token);
  expect(r.status).toBe(200);
  return offer.conversationId as string;
}

async function resolve(conversationId: string, body: Record<string, unknown> = {}) {
  const r = await app.api('POST', `/api/conversations/${conversationId}/resolve`, body, dana.token);
  expect(r.status).toBe(200);
}

/** A donor texts in, Dana takes and resolves it; returns the conversation once the survey SMS went out. */
async function resolvedSmsConversation(phone: string): Promise<string> {
  await app.sms(phone, 'Did my gift arrive?');
  const id = await accept((p) => p.contact.address === phone);
  await resolve(id);
  await eventually(() => smsTo(phone).find((m) => /Reply with a number from 1/.test(m.Body)));
  return id;
}

describe('SMS survey', () => {
  it('asks once after resolution; a "5" within 24 h is the score, stored on the conversation, opening nothing', async () => {
    const donor = randomPhone();
    // The first attempt at sending the question fails at Twilio: the job retries, the donor is asked once.
    app.twilio.failNext(500, 20500, 'Internal error', 1, '/Messages.json');
    const id = await resolvedSmsConversation(donor);
    const asks = () => smsTo(donor).filter((m) => /Reply with a number/.test(m.Body));
    // The fake lists every request: the refused one and the one that went out.
    await eventually(() => asks().length === 2);
    expect(smsTo(donor)[0].Body).toMatch(/#\d{4}/);
    // Resolving again is refused, and re-driving the send job sends nothing more.
    expect((await app.api('POST', `/api/conversations/${id}/resolve`, {}, dana.token)).status).toBe(409);
    const [question] = await eventually(async () => {
      const rows = await db()
        .select()
        .from(messages)
        .where(sql`${messages.conversationId} = ${id} and ${messages.metadata}->>'system' = 'csat'`);
      return rows[0]?.externalId ? rows : null;
    });
    await app.sb.deps.jobs.sendMessage(question.id, { fresh: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(asks()).toHaveLength(2);
    expect(question.error).toBeNull();
    expect(await surveyOf(id)).toMatchObject({ channel: 'sms', agentId: dana.id, score: null });

    const answer = await app.sms(donor, '5');
    expect(answer.status).toBe(200);
    const received = await danaSocket.waitFor('csat.received', (p) => p.conversationId === id);
    expect(received.csat).toMatchObject({ score: 5, channel: 'sms' });
    // The same delivery again (Twilio retrying) changes nothing.
    expect((await app.sms(donor, '5', { MessageSid: answer.sid })).status).toBe(200);

    expect(await conversationsOfPhone(donor)).toEqual([{ id, status: 'resolved' }]);
    const detail = await app.api('GET', `/api/conversations/${id}`, undefined, dana.token);
    expect(detail.body.conversation).toMatchObject({ status: 'resolved', csat: { score: 5, comment: null, channel: 'sms' } });
    expect(Date.parse(detail.body.conversation.csat.at)).toBeGreaterThan(0);
    expect(detail.body.messages.filter((m: any) => m.direction === 'inbound' && m.body === '5')).toHaveLength(1);
    // A high score alerts nobody.
    expect(sueSocket.events.find((e) => e.event === 'csat.low' && e.payload.conversationId === id)).toBeUndefined();
  });

  it('treats anything but a score as a normal message, and a score once a new conversation is open as part of it', async () => {
    const donor = randomPhone();
    const id = await resolvedSmsConversation(donor);
    await app.sms(donor, '5 more questions about my receipt');
    const opened = await eventually(async () => (await conversationsOfPhone(donor)).find((c) => c.id !== id));
    expect((await surveyOf(id)).score).toBeNull();
    // Now there is a conversation going on: a "4" is an answer in it, not a survey score.
    await app.sms(donor, '4');
    await eventually(async () => {
      const rows = await db().select().from(messages).where(eq(messages.conversationId, opened.id));
      return rows.some((m) => m.body === '4');
    });
    expect((await surveyOf(id)).score).toBeNull();
    expect(await conversationsOfPhone(donor)).toHaveLength(2);
  });

  it('after 24 hours a score is a normal message that opens a conversation', async () => {
    const donor = randomPhone();
    const id = await resolvedSmsConversation(donor);
    await db()
      .update(csatSurveys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(csatSurveys.conversationId, id));
    await app.sms(donor, '3');
    await eventually(async () => (await conversationsOfPhone(donor)).length === 2);
    expect((await surveyOf(id)).score).toBeNull();
  });

  it("a score of 1 or 2 alerts the queue's supervisors (csat.low), and an agent sees it only on its own conversation", async () => {
    const donor = randomPhone();
    const id = await resolvedSmsConversation(donor);
    await app.sms(donor, 'terrible');
    const low = await sueSocket.waitFor('csat.low', (p) => p.conversationId === id);
    expect(low).toMatchObject({ queue: 'donor', agentId: dana.id, csat: { score: 1, channel: 'sms' } });
    expect(typeof low.number).toBe('number');
    expect(danaSocket.events.find((e) => e.event === 'csat.low')).toBeUndefined();
    expect(patSocket.events.find((e) => e.event === 'csat.low')).toBeUndefined();
  });

  it('is never sent to a number that texted STOP', async () => {
    const donor = randomPhone();
    await app.sms(donor, 'Please stop the mailings');
    const id = await accept((p) => p.contact.address === donor);
    await app.sms(donor, 'STOP');
    await resolve(id);
    await new Promise((r) => setTimeout(r, 300));
    expect(smsTo(donor).filter((m) => /Reply with a number/.test(m.Body))).toHaveLength(0);
    expect(await surveyOf(id)).toBeUndefined();
  });

  it('is never sent after a risk-flagged conversation (crisis)', async () => {
    const donor = randomPhone();
    await app.sms(donor, "I can't do this anymore, I'm going to kill myself tonight");
    const id = await accept((p) => p.contact.address === donor);
    expect((await db().select().from(conversations).where(eq(conversations.id, id)))[0].queueKey).toBe('crisis');
    await resolve(id, { note: 'Talked it through, connected to 988' });
    await new Promise((r) => setTimeout(r, 300));
    expect(smsTo(donor).filter((m) => /Reply with a number/.test(m.Body))).toHaveLength(0);
    expect(await surveyOf(id)).toBeUndefined();
  });

  it('follows the queue setting: PATCH /api/queues/:key {csat} (admin only, booleans only)', async () => {
    const queues = await app.api('GET', '/api/queues');
    expect(queues.body.queues.find((q: any) => q.key === 'donor')).toMatchObject({ csat: true, csatVoice: false });
    expect(queues.body.queues.find((q: any) => q.key === 'crisis')).toMatchObject({ csat: false });
    expect((await app.api('PATCH', '/api/queues/donor', { csat: false }, dana.token)).status).toBe(403);
    const bad = await app.api('PATCH', '/api/queues/donor', { csat: 'no' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/csat/);
    const off = await app.api('PATCH', '/api/queues/donor', { csat: false });
    expect(off.status).toBe(200);
    expect(off.body.queue.csat).toBe(false);
    try {
      const donor = randomPhone();
      await app.sms(donor, 'Quick question');
      const id = await accept((p) => p.contact.address === donor);
      await resolve(id);
      await new Promise((r) => setTimeout(r, 300));
      expect(await surveyOf(id)).toBeUndefined();
      expect(smsTo(donor).filter((m) => /Reply with a number/.test(m.Body))).toHaveLength(0);
    } finally {
      await app.api('PATCH', '/api/queues/donor', { csat: true });
    }
  });
});

describe('email survey', () => {
  /** A partner-less donor mails donor@, Dana resolves it; returns the conversation and the link the mail carried. */
  async function resolvedEmail(from: string): Promise<{ id: string; link: string }> {
    await mx.sendMail({ from, to: `donor@${DOMAIN}`, subject: 'Receipt for my gift', text: 'Could you resend my receipt?' });
    const id = await accept((p) => p.contact.address === from);
    await resolve(id);
    const mail = await eventually(() => sink.mails.find((m) => m.envelope.to.includes(from) && /How did we do/.test(m.mail.text ?? '')));
    const link = /https:\/\/switchboard\.test\/csat\/\S+/.exec(mail.mail.text ?? '')?.[0];
    expect(link).toBeTruthy();
    // The HTML part links it too.
    expect(mail.mail.html).toContain(`href="${link}"`);
    return { id, link: link! };
  }
  const local = (link: string) => link.replace('https://switchboard.test', app.url);
  const post = (link: string, form: Record<string, string>) =>
    fetch(local(link), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form),
    });

  it('carries a signed link to a public page: 1–5 and a comment, answered once; a low score alerts supervisors', async () => {
    const { id, link } = await resolvedEmail('rosa@donors.example');
    // Agents read the question without the link: they cannot rate their own work.
    const detail = await app.api('GET', `/api/conversations/${id}`, undefined, dana.token);
    const question = detail.body.messages.find((m: any) => m.metadata.system === 'csat');
    expect(question.body).toMatch(/How did we do/);
    expect(question.body).not.toContain('/csat/');
    expect(detail.body.conversation.csat).toMatchObject({ score: null, at: null, channel: 'email' });

    // Opening it (a mail scanner would) records nothing; ?score preselects.
    const page = await fetch(local(link) + '?score=2');
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const html = await page.text();
    expect(html).toMatch(/value="2" required checked/);
    expect(html).toMatch(/#\d{4}/);
    expect((await surveyOf(id)).answeredAt).toBeNull();

    const missing = await post(link, { comment: 'no score' });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toMatch(/pick a score/);

    const sent = await post(link, { score: '2', comment: 'Took three emails to get an answer.' });
    expect(sent.status).toBe(200);
    expect(await sent.text()).toMatch(/You rated us 2 out of 5/);
    const low = await sueSocket.waitFor('csat.low', (p) => p.conversationId === id);
    expect(low.csat).toMatchObject({ score: 2, comment: 'Took three emails to get an answer.', channel: 'email' });

    // Works once: a second answer changes nothing.
    const again = await post(link, { score: '5' });
    expect(again.status).toBe(409);
    expect(await again.text()).toMatch(/answered already/);
    expect((await fetch(local(link))).status).toBe(409);
    const after = await app.api('GET', `/api/conversations/${id}`, undefined, dana.token);
    expect(after.body.conversation.csat).toMatchObject({ score: 2, comment: 'Took three emails to get an answer.' });
  });

  it('refuses forged, malformed and expired links with a clear page', async () => {
    const { id, link } = await resolvedEmail('omar@donors.example');
    const forged = link.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const f = await fetch(local(forged));
    expect(f.status).toBe(403);
    expect(await f.text()).toMatch(/not valid/);
    expect((await post(forged, { score: '5' })).status).toBe(403);
    // Someone else's conversation with this link's signature.
    const [, expires, mac] = link.split('/csat/')[1].split('.');
    expect((await fetch(`${app.url}/csat/00000000-0000-4000-8000-000000000000.${expires}.${mac}`)).status).toBe(403);
    expect((await fetch(`${app.url}/csat/not-a-token`)).status).toBe(400);
    // A correctly signed link whose time is up.
    const stale = ratingToken(app.config, id, new Date(Date.now() - 60_000));
    const e = await post(`https://switchboard.test/csat/${stale}`, { score: '5' });
    expect(e.status).toBe(410);
    expect(await e.text()).toMatch(/expired/);
    expect((await surveyOf(id)).score).toBeNull();
    // The survey row's own expiry counts too.
    await db()
      .update(csatSurveys)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(csatSurveys.conversationId, id));
    expect((await post(link, { score: '5' })).status).toBe(410);
  });
});

describe('Slack survey', () => {
  async function slackPost(body: string, opts: { secret?: string } = {}) {
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = `v0=${createHmac('sha256', opts.secret ?? SIGNING_SECRET)
      .update(`v0:${ts}:${body}`)
      .digest('hex')}`;
    const res = await fetch(`${app.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': signature },
      body,
    });
    return { status: res.status, text: await res.text() };
  }
  const dm = (user: string, text: string) => {
    const ts = `${Math.floor(Date.now() / 1000)}.${randomBytes(3).readUIntBE(0, 3)}`;
    return JSON.stringify({
      type: 'event_callback',
      team_id: 'T0001',
      api_app_id: 'A0001',
      event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
      event: { type: 'message', channel: `D${user.slice(1)}`, channel_type: 'im', user, text, ts },
    });
  };
  /** A click on one of the survey's buttons, as Slack posts it (interactivity is a form with a JSON `payload`). */
  const click = (user: string, button: { action_id: string; value: string }, message: { channel: string; ts: string }) =>
    new URLSearchParams({
      payload: JSON.stringify({
        type: 'block_actions',
        user: { id: user },
        team: { id: 'T0001' },
        channel: { id: message.channel },
        container: { type: 'message', channel_id: message.channel, message_ts: message.ts },
        message: { ts: message.ts, text: 'How did we do?' },
        trigger_id: 't.1',
        actions: [{ type: 'button', block_id: 'csat', action_ts: '1', ...button }],
      }),
    }).toString();

  it("posts five buttons; the asked person's click is the score, once; anyone else's and forged ones count for nothing", async () => {
    slack.users.set('UKAI', { id: 'UKAI', name: 'Kai' });
    const ts = String(Math.floor(Date.now() / 1000));
    const body = dm('UKAI', 'How do I log volunteer hours?');
    const sig = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
    const r = await fetch(`${app.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': ts, 'x-slack-signature': sig },
      body,
    });
    expect(r.status).toBe(200);
    const id = await accept((p) => p.channel === 'slack' && p.contact.name === 'Kai');
    await resolve(id);
    const post = await eventually(() =>
      slack.callsTo('chat.postMessage').find((c) => c.params.channel === 'DKAI' && Array.isArray(c.params.blocks)),
    );
    expect(post.params.text).toMatch(/How did we do/);
    const buttons = post.params.blocks.find((b: any) => b.type === 'actions').elements;
    expect(buttons.map((b: any) => b.action_id)).toEqual(['csat_rate_1', 'csat_rate_2', 'csat_rate_3', 'csat_rate_4', 'csat_rate_5']);
    const four = buttons[3];
    const where = { channel: 'DKAI', ts: '1700000000.000100' };

    // A forged click is refused before anything is read (403, like every forged webhook).
    const forged = await slackPost(click('UKAI', four, where), { secret: 'not-the-signing-secret' });
    expect(forged.status).toBe(403);
    // Another member of the workspace cannot answer for Kai.
    expect((await slackPost(click('UMAL', buttons[0], where))).status).toBe(200);
    expect((await surveyOf(id)).score).toBeNull();

    expect((await slackPost(click('UKAI', four, where))).status).toBe(200);
    expect(await surveyOf(id)).toMatchObject({ score: 4, channel: 'slack' });
    const update = await eventually(() => slack.callsTo('chat.update').find((c) => c.params.ts === where.ts));
    expect(update.params).toMatchObject({ channel: 'DKAI', text: 'Thank you! You rated us 4 out of 5.' });
    // Clicked again (or Slack delivering it twice): the first answer stands.
    expect((await slackPost(click('UKAI', buttons[0], where))).status).toBe(200);
    expect((await surveyOf(id)).score).toBe(4);
    expect(danaSocket.events.filter((e) => e.event === 'csat.received' && e.payload.conversationId === id)).toHaveLength(1);
    // A button value we never made is ignored.
    expect((await slackPost(click('UKAI', { action_id: 'csat_rate_5', value: 'garbage' }, where))).status).toBe(200);
  });
});
