import { createHmac, randomBytes } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactIdentities, conversations, messages } from '../src/db/schema.js';
import { startFakeSlack, type FakeSlack } from './fakes/slack-api.js';
import { eventually, startTestApp, type TestApp } from './helpers/harness.js';
import { inboundMail, type Mx } from './helpers/inbound-mail.js';

const SIGNING_SECRET = 'slack-signing-secret-0123456789abcdef';
let app: TestApp;
let slack: FakeSlack;
let mx: Mx;

beforeAll(async () => {
  slack = await startFakeSlack();
  const mail = await inboundMail('help.example.org');
  mx = mail.mx;
  app = await startTestApp('slack-channel', {
    SLACK_BOT_TOKEN: slack.token,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    ...mail.env,
  });
}, 60_000);
afterAll(async () => {
  mx?.close();
  await app?.stop();
  await slack?.close();
});

/** POSTs to /slack/events signed exactly as Slack signs: v0=HMAC-SHA256(secret, `v0:${ts}:${rawBody}`). */
async function slackPost(
  body: string,
  opts: { contentType?: string; ts?: number; secret?: string; signature?: string; headers?: Record<string, string> } = {},
) {
  const ts = String(opts.ts ?? Math.floor(Date.now() / 1000));
  const signature =
    opts.signature ??
    `v0=${createHmac('sha256', opts.secret ?? SIGNING_SECRET)
      .update(`v0:${ts}:${body}`)
      .digest('hex')}`;
  const started = Date.now();
  const res = await fetch(`${app.url}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': opts.contentType ?? 'application/json',
      'x-slack-request-timestamp': ts,
      'x-slack-signature': signature,
      ...opts.headers,
    },
    body,
  });
  return { status: res.status, text: await res.text(), ms: Date.now() - started };
}

let tsSeq = 0;
const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++tsSeq).padStart(6, '0')}`;

function messageEvent(event: Record<string, unknown>, eventId = `Ev${randomBytes(5).toString('hex').toUpperCase()}`) {
  return JSON.stringify({
    token: 'legacy',
    team_id: 'T0001',
    api_app_id: 'A0001',
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: 'message', team: 'T0001', ...event },
  });
}

const slackMessage = (channel: string, ts: string) =>
  app.sb.deps.db
    .select()
    .from(messages)
    .where(and(eq(messages.channel, 'slack'), eq(messages.externalId, `${channel}:${ts}`)));
const storedSlackMessage = async (channel: string, ts: string) => await eventually(async () => (await slackMessage(channel, ts))[0]);
const countSlackMessages = async () =>
  (
    await app.sb.deps.db
      .select({ n: sql<number>`count(*)::int` })
      .from(messages)
      .where(eq(messages.channel, 'slack'))
  )[0].n;

describe('Slack request verification', () => {
  it('answers the URL verification challenge', async () => {
    const r = await slackPost(JSON.stringify({ type: 'url_verification', challenge: 'c-123', token: 'x' }));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({ challenge: 'c-123' });
  });

  it('refuses a bad signature and a stale timestamp, storing nothing', async () => {
    slack.users.set('UEVE', { id: 'UEVE', name: 'Eve' });
    const before = await countSlackMessages();
    const body = messageEvent({ channel: 'DEVE', channel_type: 'im', user: 'UEVE', text: 'let me in', ts: nextTs() });
    const wrongSecret = await slackPost(body, { secret: 'not-the-secret-at-all' });
    expect(wrongSecret.status).toBe(403);
    const garbage = await slackPost(body, { signature: 'v0=deadbeef' });
    expect(garbage.status).toBe(403);
    const unsigned = await fetch(`${app.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(403);
    // Correctly signed, but six minutes old: a replay.
    const stale = await slackPost(body, { ts: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.status).toBe(403);
    expect(stale.text).toBe('stale timestamp');
    // Tampered after signing.
    const ts = Math.floor(Date.now() / 1000);
    const sig = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
    const tampered = await slackPost(body.replace('let me in', 'let me out'), { ts, signature: sig });
    expect(tampered.status).toBe(403);
    await new Promise((r) => setTimeout(r, 300));
    expect(await countSlackMessages()).toBe(before);
    expect(slack.callsTo('users.info').filter((c) => c.params.user === 'UEVE')).toHaveLength(0);
  });
});

describe('a volunteer DMs the bot', () => {
  it('reaches the volunteer queue; the agent answers in the thread, named; a thread reply joins; resolving posts a note', async () => {
    slack.users.set('UVAL', { id: 'UVAL', name: 'Val Okafor', email: 'val@volunteers.example' });
    const vic = await app.agent({ name: 'Vic', queues: ['volunteer'] });
    const sock = await app.socket(vic.token);
    const root = nextTs();
    const first = await slackPost(
      messageEvent({ channel: 'DVAL', channel_type: 'im', user: 'UVAL', text: 'Can I swap my Saturday shift?', ts: root }),
    );
    expect(first.status).toBe(200);
    // Acknowledged only once stored.
    expect(await slackMessage('DVAL', root)).toHaveLength(1);
    const offer = await sock.waitFor('reservation.created', (p) => p.channel === 'slack');
    expect(offer).toMatchObject({ queue: 'volunteer', contact: { name: 'Val Okafor' } });
    await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, vic.token);

    const reply = await app.api(
      'POST',
      `/api/conversations/${offer.conversationId}/messages`,
      { body: 'Sure — which <Sunday> works?' },
      vic.token,
    );
    expect(reply.status).toBe(201);
    const post = await eventually(() => slack.callsTo('chat.postMessage').find((c) => String(c.params.text).includes('which')));
    expect(post.params).toMatchObject({ channel: 'DVAL', thread_ts: root, text: '*Vic:* Sure — which &lt;Sunday&gt; works?' });
    expect(post.token).toBe(slack.token);
    await eventually(
      async () => (await app.sb.deps.db.select().from(messages).where(eq(messages.id, reply.body.message.id)))[0]?.status === 'sent',
    );

    // The bot's own post comes back as an event: ignored.
    const before = await countSlackMessages();
    await slackPost(
      messageEvent({
        channel: 'DVAL',
        channel_type: 'im',
        user: slack.botUserId,
        bot_id: slack.botId,
        text: '*Vic:* Sure',
        ts: nextTs(),
        thread_ts: root,
      }),
    );
    await slackPost(
      messageEvent({ channel: 'DVAL', channel_type: 'im', subtype: 'bot_message', bot_id: 'BOTHER', text: 'another bot', ts: nextTs() }),
    );
    await slackPost(
      messageEvent({ channel: 'DVAL', channel_type: 'im', subtype: 'message_changed', message: { text: 'edited' }, ts: nextTs() }),
    );

    // Val answers in the thread.
    const answerTs = nextTs();
    await slackPost(
      messageEvent({ channel: 'DVAL', channel_type: 'im', user: 'UVAL', text: 'Sunday the 30th', ts: answerTs, thread_ts: root }),
    );
    const pushed = await sock.waitFor('message.created', (p) => p.message.body === 'Sunday the 30th');
    expect(pushed.conversationId).toBe(offer.conversationId);
    expect(await countSlackMessages()).toBe(before + 1);

    const resolved = await app.api('POST', `/api/conversations/${offer.conversationId}/resolve`, {}, vic.token);
    expect(resolved.status).toBe(200);
    const note = await eventually(() => slack.callsTo('chat.postMessage').find((c) => String(c.params.text).includes('resolved')));
    expect(note.params).toMatchObject({ channel: 'DVAL', thread_ts: root });
    expect(note.params.text).toContain('Vic');
  });

  it('follow-up DMs without a thread join the open DM conversation; agent replies stay in the first thread', async () => {
    slack.users.set('UFOL', { id: 'UFOL', name: 'Flo' });
    const first = nextTs();
    await slackPost(messageEvent({ channel: 'DFOL', channel_type: 'im', user: 'UFOL', text: 'Hi,', ts: first }));
    const a = await storedSlackMessage('DFOL', first);
    const second = nextTs();
    await slackPost(messageEvent({ channel: 'DFOL', channel_type: 'im', user: 'UFOL', text: 'where do I find the rota?', ts: second }));
    const b = await storedSlackMessage('DFOL', second);
    const third = nextTs();
    await slackPost(
      messageEvent({ channel: 'DFOL', channel_type: 'im', user: 'UFOL', text: '(the weekend one)', ts: third, thread_ts: second }),
    );
    const c = await storedSlackMessage('DFOL', third);
    expect(new Set([a.conversationId, b.conversationId, c.conversationId]).size).toBe(1);
    const [conv] = await app.sb.deps.db.select().from(conversations).where(eq(conversations.id, a.conversationId));
    expect(conv.metadata).toMatchObject({ slack: { channel: 'DFOL', threadTs: first } });
  });

  it('a retried event (X-Slack-Retry-Num) is stored once and answered the same', async () => {
    slack.users.set('URET', { id: 'URET', name: 'Rita' });
    const ts = nextTs();
    const body = messageEvent({ channel: 'DRET', channel_type: 'im', user: 'URET', text: 'hello?', ts }, 'EvRETRY0001');
    const a = await slackPost(body);
    await eventually(async () => (await slackMessage('DRET', ts)).length === 1);
    const b = await slackPost(body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    const c = await slackPost(body, { headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_error' } });
    expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
    expect([b.text, c.text]).toEqual([a.text, a.text]);
    await new Promise((r) => setTimeout(r, 500));
    expect(await slackMessage('DRET', ts)).toHaveLength(1);
    const convs = await app.sb.deps.db.select().from(conversations).where(eq(conversations.inboxAddress, 'DRET'));
    expect(convs).toHaveLength(1);

    // A retry racing the first delivery (Slack retries after 3 s; our work may still be running).
    slack.users.set('URACE', { id: 'URACE', name: 'Rae' });
    slack.usersInfoDelayMs = 300;
    const raceTs = nextTs();
    const raceBody = messageEvent({ channel: 'DRACE', channel_type: 'im', user: 'URACE', text: 'anyone?', ts: raceTs }, 'EvRACE0001');
    const answers = await Promise.all([
      slackPost(raceBody),
      slackPost(raceBody, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } }),
    ]);
    slack.usersInfoDelayMs = 0;
    expect(answers.map((x) => x.status)).toEqual([200, 200]);
    await storedSlackMessage('DRACE', raceTs);
    await new Promise((r) => setTimeout(r, 800));
    expect(await slackMessage('DRACE', raceTs)).toHaveLength(1);
  });
});

describe('stored before acknowledged', () => {
  it('a slow users.info does not hold the answer past Slack’s 3 s: stored without a name, answered in time', async () => {
    slack.users.set('USLOW', { id: 'USLOW', name: 'Sol' });
    slack.usersInfoDelayMs = 4000;
    const ts = nextTs();
    const r = await slackPost(messageEvent({ channel: 'DSLOW', channel_type: 'im', user: 'USLOW', text: 'hi there', ts }));
    slack.usersInfoDelayMs = 0;
    expect(r.status).toBe(200);
    expect(r.ms).toBeLessThan(2900);
    expect(await slackMessage('DSLOW', ts)).toHaveLength(1);
  });

  /** Makes the database refuse one message body, as a failing commit would (a real error from Postgres, not a mock). */
  async function refuseBody(body: string) {
    const db = app.sb.deps.db;
    await db.execute(
      sql.raw(`create or replace function refuse_test_body() returns trigger language plpgsql as $$
        begin if new.body = '${body}' then raise exception 'storage unavailable'; end if; return new; end $$`),
    );
    await db.execute(sql`create trigger refuse_test_body before insert on messages for each row execute function refuse_test_body()`);
    return async () => {
      await db.execute(sql`drop trigger refuse_test_body on messages`);
    };
  }

  it('an event that could not be stored is answered 500, so Slack retries; the retry is stored once', async () => {
    slack.users.set('UFAIL', { id: 'UFAIL', name: 'Faye' });
    const ts = nextTs();
    const body = messageEvent({ channel: 'DFAIL', channel_type: 'im', user: 'UFAIL', text: 'please do not lose me', ts }, 'EvFAIL0001');
    const allow = await refuseBody('please do not lose me');
    const first = await slackPost(body);
    await allow();
    expect(first.status).toBe(500);
    expect(await slackMessage('DFAIL', ts)).toHaveLength(0);

    const retry = await slackPost(body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' } });
    expect(retry.status).toBe(200);
    // Stored by the time Slack hears 200 — not after.
    expect(await slackMessage('DFAIL', ts)).toHaveLength(1);
    const again = await slackPost(body, { headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' } });
    expect(again.status).toBe(200);
    expect(await slackMessage('DFAIL', ts)).toHaveLength(1);
  });

  it('a /helpdesk request that could not be stored shows the person an error; sending it again stores it once', async () => {
    slack.users.set('UMOD', { id: 'UMOD', name: 'Mo' });
    const payload = new URLSearchParams({
      payload: JSON.stringify({
        type: 'view_submission',
        team: { id: 'T0001' },
        user: { id: 'UMOD', name: 'mo' },
        api_app_id: 'A0001',
        trigger_id: '1337.99.abcd',
        view: {
          id: 'VSUBFAIL',
          type: 'modal',
          callback_id: 'helpdesk_request',
          state: {
            values: {
              category: {
                queue: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'donor' }, value: 'donor' } },
              },
              details: { text: { type: 'plain_text_input', value: 'Printer on fire' } },
            },
          },
        },
      }),
    }).toString();
    const stored = () =>
      app.sb.deps.db
        .select()
        .from(messages)
        .where(and(eq(messages.channel, 'slack'), eq(messages.externalId, 'view:VSUBFAIL')));
    const allow = await refuseBody('Printer on fire');
    const first = await slackPost(payload, { contentType: 'application/x-www-form-urlencoded' });
    await allow();
    expect(first.status).toBe(500);
    expect(await stored()).toHaveLength(0);
    const second = await slackPost(payload, { contentType: 'application/x-www-form-urlencoded' });
    expect(second.status).toBe(200);
    expect(await stored()).toHaveLength(1);
    const posts = () => slack.callsTo('chat.postMessage').filter((c) => String(c.params.text).includes('Printer on fire')).length;
    const before = posts();
    expect((await slackPost(payload, { contentType: 'application/x-www-form-urlencoded' })).status).toBe(200);
    expect(await stored()).toHaveLength(1);
    // Already stored: no second confirmation in the person's DMs.
    expect(posts()).toBe(before);
  });
});

describe('channels mapped to queues', () => {
  it('#it-help → it; a thread is one conversation; an unmapped channel is ignored', async () => {
    const inbox = await app.api('POST', '/api/inboxes', { kind: 'slack', address: 'CITHELP', queue: 'it' });
    expect(inbox.status).toBe(201);
    slack.users.set('UIAN', { id: 'UIAN', name: 'Ian' });
    const root = nextTs();
    await slackPost(
      messageEvent({
        channel: 'CITHELP',
        channel_type: 'channel',
        user: 'UIAN',
        text: `<@${slack.botUserId}> VPN is down &amp; I can't log in`,
        ts: root,
      }),
    );
    const m = await storedSlackMessage('CITHELP', root);
    expect(m.body).toBe("VPN is down & I can't log in");
    const [conv] = await app.sb.deps.db.select().from(conversations).where(eq(conversations.id, m.conversationId));
    expect(conv).toMatchObject({ queueKey: 'it', threadKey: `CITHELP:${root}`, inboxAddress: 'CITHELP' });
    // A reply in the thread joins; a new top-level message is a separate request.
    const inThread = nextTs();
    await slackPost(
      messageEvent({ channel: 'CITHELP', channel_type: 'channel', user: 'UIAN', text: 'still down', ts: inThread, thread_ts: root }),
    );
    const other = nextTs();
    await slackPost(messageEvent({ channel: 'CITHELP', channel_type: 'channel', user: 'UIAN', text: 'and the printer too', ts: other }));
    const joined = await storedSlackMessage('CITHELP', inThread);
    expect(joined.conversationId).toBe(conv.id);
    const separate = await storedSlackMessage('CITHELP', other);
    expect(separate.conversationId).not.toBe(conv.id);

    const unmappedTs = nextTs();
    const r = await slackPost(messageEvent({ channel: 'CRANDOM', channel_type: 'channel', user: 'UIAN', text: 'lunch?', ts: unmappedTs }));
    expect(r.status).toBe(200);
    await new Promise((res) => setTimeout(res, 400));
    expect(await slackMessage('CRANDOM', unmappedTs)).toHaveLength(0);
  });
});

describe('/helpdesk', () => {
  it('opens a modal with a category picker; submitting it opens a request in that queue, answered in a DM thread', async () => {
    slack.users.set('UHAL', { id: 'UHAL', name: 'Hal', email: 'hal@example.org' });
    const form = new URLSearchParams({
      token: 'legacy',
      team_id: 'T0001',
      channel_id: 'CGENERAL',
      user_id: 'UHAL',
      user_name: 'hal',
      command: '/helpdesk',
      text: 'laptop fan is loud',
      response_url: 'http://127.0.0.1:9/unused',
      trigger_id: '1337.42.abcd',
      api_app_id: 'A0001',
    }).toString();
    const cmd = await slackPost(form, { contentType: 'application/x-www-form-urlencoded' });
    expect(cmd.status).toBe(200);
    const open = await eventually(() => slack.callsTo('views.open').find((c) => c.params.trigger_id === '1337.42.abcd'));
    const view = open.params.view;
    expect(view.callback_id).toBe('helpdesk_request');
    const select = view.blocks.find((b: any) => b.block_id === 'category').element;
    expect(select.type).toBe('static_select');
    expect(select.options.map((o: any) => o.value)).toEqual(expect.arrayContaining(['donor', 'volunteer', 'partner', 'it', 'crisis']));
    expect(view.blocks.find((b: any) => b.block_id === 'details').element.initial_value).toBe('laptop fan is loud');

    const submission = (queue: string | null) => ({
      type: 'view_submission',
      team: { id: 'T0001' },
      user: { id: 'UHAL', name: 'hal' },
      api_app_id: 'A0001',
      trigger_id: '1337.43.abcd',
      view: {
        id: `VSUB${queue ?? 'NONE'}`,
        type: 'modal',
        callback_id: 'helpdesk_request',
        state: {
          values: {
            category: {
              queue: { type: 'static_select', selected_option: queue ? { text: { type: 'plain_text', text: queue }, value: queue } : null },
            },
            details: { text: { type: 'plain_text_input', value: 'My laptop fan is loud since the update' } },
          },
        },
      },
    });
    const missing = await slackPost(new URLSearchParams({ payload: JSON.stringify(submission(null)) }).toString(), {
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(missing.status).toBe(200);
    expect(JSON.parse(missing.text)).toMatchObject({ response_action: 'errors', errors: { category: expect.any(String) } });

    const ivy = await app.agent({ name: 'Ivy', queues: ['it'] });
    const sock = await app.socket(ivy.token);
    const ok = await slackPost(new URLSearchParams({ payload: JSON.stringify(submission('it')) }).toString(), {
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('');
    // Earlier #it-help requests wait in the same queue: pick Hal's offer.
    const offer = await sock.waitFor('reservation.created', (p) => p.channel === 'slack' && p.queue === 'it' && p.contact.name === 'Hal');
    const dmPost = slack.callsTo('chat.postMessage').find((c) => c.params.channel === 'DHAL' && !c.params.thread_ts)!;
    expect(dmPost.params.text).toContain('My laptop fan is loud');
    await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, ivy.token);
    await app.api('POST', `/api/conversations/${offer.conversationId}/messages`, { body: 'Try the BIOS update.' }, ivy.token);
    const answer = await eventually(() => slack.callsTo('chat.postMessage').find((c) => String(c.params.text).includes('BIOS')));
    expect(answer.params).toMatchObject({ channel: 'DHAL' });
    expect(answer.params.thread_ts).toBeTruthy();
    // The requester's reply in that thread joins the request.
    const replyTs = nextTs();
    await slackPost(
      messageEvent({
        channel: 'DHAL',
        channel_type: 'im',
        user: 'UHAL',
        text: 'that fixed it',
        ts: replyTs,
        thread_ts: answer.params.thread_ts,
      }),
    );
    const pushed = await sock.waitFor('message.created', (p) => p.message.body === 'that fixed it');
    expect(pushed.conversationId).toBe(offer.conversationId);
  });
});

describe('one contact across channels', () => {
  it('someone who emails and later messages in Slack with the same address is one contact', async () => {
    await mx.sendMail({ from: 'Kim Park <Kim.Park@example.org>', to: 'volunteer@help.example.org', subject: 'Shift', text: 'Hi by mail' });
    slack.users.set('UKIM', { id: 'UKIM', name: 'Kim Park', email: 'kim.park@example.org' });
    const ts = nextTs();
    await slackPost(messageEvent({ channel: 'DKIM', channel_type: 'im', user: 'UKIM', text: 'Hi from Slack', ts }));
    const m = await storedSlackMessage('DKIM', ts);
    const ids = await app.sb.deps.db
      .select()
      .from(contactIdentities)
      .where(sql`${contactIdentities.value} in ('kim.park@example.org', 'UKIM')`);
    expect(ids).toHaveLength(2);
    expect(new Set(ids.map((i) => i.contactId)).size).toBe(1);
    const [slackConv] = await app.sb.deps.db.select().from(conversations).where(eq(conversations.id, m.conversationId));
    expect(slackConv.contactId).toBe(ids[0].contactId);
  });
});
