import { createHmac } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { eq, sql } from 'drizzle-orm';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agents, messages } from '../src/db/schema.js';
import { startFakeSlack, type FakeSlack } from './fakes/slack-api.js';
import {
  ADMIN,
  HOTLINE,
  PUBLIC_URL,
  randomPhone,
  startTestApp,
  TWILIO_ACCOUNT_SID,
  TWILIO_AUTH_TOKEN,
  type TestApp,
} from './helpers/harness.js';

/** The six classes of malformed input that used to answer 500 (issue 18): each is now a 4xx with a reason. */
const SLACK_SECRET = 'slack-signing-secret-bad-input-0123';
let app: TestApp;
let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
  app = await startTestApp('bad-input', { SLACK_BOT_TOKEN: slack.token, SLACK_SIGNING_SECRET: SLACK_SECRET, SLACK_API_URL: slack.url });
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await slack?.close();
});

async function raw(method: string, path: string, body: string | Buffer | undefined, headers: Record<string, string> = {}) {
  const res = await fetch(app.url + path, {
    method,
    headers: { authorization: `Bearer ${app.adminToken}`, ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, error: json?.error as { code: string; message: string } | undefined };
}

const login = JSON.stringify({ email: ADMIN.email, password: 'wrong-password' });

describe('body-parser errors are the client’s, not ours', () => {
  it('an unknown charset is 415', async () => {
    const r = await raw('POST', '/api/auth/login', login, { 'content-type': 'application/json; charset=klingon' });
    expect(r.status).toBe(415);
    expect(r.error).toMatchObject({ code: 'unsupported_media_type', message: expect.stringMatching(/charset/) });
  });

  it('an unknown Content-Encoding is 415', async () => {
    const r = await raw('POST', '/api/auth/login', login, { 'content-type': 'application/json', 'content-encoding': 'klingon' });
    expect(r.status).toBe(415);
    expect(r.error?.code).toBe('unsupported_media_type');
  });

  it('gzip that is not gzip is 400; real gzip still works', async () => {
    const bad = await raw('POST', '/api/auth/login', login, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(bad.status).toBe(400);
    expect(bad.error?.code).toBe('bad_request');
    const good = await raw('POST', '/api/auth/login', gzipSync(login), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(good.status).toBe(401);
  });

  it('a Twilio webhook with an unknown charset is 415 too', async () => {
    const r = await raw('POST', '/webhooks/twilio/sms', 'From=%2B15550001111', {
      'content-type': 'application/x-www-form-urlencoded; charset=klingon',
    });
    expect(r.status).toBe(415);
  });
});

describe('malformed percent-encoding in a path parameter', () => {
  it.each(['/api/conversations/%zz', '/api/queues/%E0%A4%A', '/api/attachments/%'])('%s is 400', async (path) => {
    const r = await raw('GET', path, undefined);
    expect(r.status).toBe(400);
    expect(r.error).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/percent-encoding/) });
  });

  it('on a PATCH with a body as well', async () => {
    const r = await raw('PATCH', '/api/inboxes/%zz', '{}', { 'content-type': 'application/json' });
    expect(r.status).toBe(400);
  });
});

describe('NUL characters: stripped from every string at the edge, refused in URLs', () => {
  it('a login email with a NUL is just a wrong login', async () => {
    const r = await app.api('POST', '/api/auth/login', { email: `${ADMIN.email}\u0000`, password: ADMIN.password }, null);
    // Stripped, it is the admin's address again.
    expect(r.status).toBe(200);
    const wrong = await app.api('POST', '/api/auth/login', { email: 'nobody\u0000@example.org', password: 'x' }, null);
    expect(wrong.status).toBe(401);
  });

  it('agent and queue names, replies, notes, transfers', async () => {
    const agent = await app.api('POST', '/api/agents', {
      email: 'nul.agent@example.org',
      name: 'Nul\u0000 Agent',
      password: 'agent-password-1',
      role: 'agent',
      queues: ['donor\u0000'],
    });
    expect(agent.status).toBe(201);
    expect(agent.body.agent.name).toBe('Nul Agent');
    const queue = await app.api('POST', '/api/queues', { key: 'nulq', name: 'Nul\u0000 queue' });
    expect(queue.status).toBe(201);
    expect(queue.body.queue.name).toBe('Nul queue');

    const from = randomPhone();
    await app.sms(from, 'hello');
    const list = await app.api('GET', '/api/conversations?status=all');
    const conv = list.body.conversations.find((c: any) => c.contact.address === from);
    const note = await app.api('POST', `/api/conversations/${conv.id}/messages`, { body: 'a\u0000note', internal: true });
    expect(note.status).toBe(201);
    expect(note.body.message.body).toBe('anote');
    const transfer = await app.api('POST', `/api/conversations/${conv.id}/transfer`, { queue: '\u0000' });
    expect(transfer.status).toBe(400);
    const resolved = await app.api('POST', `/api/conversations/${conv.id}/resolve`, { note: 'done\u0000' });
    expect(resolved.status).toBeLessThan(500);
  });

  it('a NUL in the path or query is refused with 400', async () => {
    expect((await raw('GET', '/api/conversations?queue=%00', undefined)).status).toBe(400);
    expect((await raw('GET', '/api/queues/don%00or', undefined)).status).toBe(400);
  });

  it('an SMS (Body, From, To) and its status callbacks with NUL are stored without it', async () => {
    const from = randomPhone();
    const r = await app.sms(`${from}\u0000`, 'Need\u0000 help', { To: `${HOTLINE}\u0000` });
    expect(r.status).toBe(200);
    const [m] = await app.sb.deps.db.select().from(messages).where(eq(messages.externalId, r.sid));
    expect(m.body).toBe('Need help');
    const status = await app.twilioPost('/webhooks/twilio/sms/status', { MessageSid: 'SM\u0000x', MessageStatus: 'deliv\u0000ered' });
    expect(status.status).toBe(204);
    const transcription = await app.twilioPost('/webhooks/twilio/voice/transcription', {
      TranscriptionSid: 'TR\u00001',
      TranscriptionText: 'hi\u0000',
      TranscriptionStatus: 'completed',
      RecordingSid: 'RE\u00001',
      AccountSid: TWILIO_ACCOUNT_SID,
    });
    expect(transcription.status).toBeLessThan(500);
  });
});

describe('inboxes', () => {
  it('an unknown queue is 400, on create and on change', async () => {
    const created = await app.api('POST', '/api/inboxes', { kind: 'phone', address: '+15557650001', queue: 'no-such-queue' });
    expect(created.status).toBe(400);
    expect(created.body.error.message).toMatch(/queue/);
    const ok = await app.api('POST', '/api/inboxes', { kind: 'phone', address: '+15557650002', queue: 'donor' });
    expect(ok.status).toBe(201);
    const changed = await app.api('PATCH', `/api/inboxes/${ok.body.inbox.id}`, { queue: 'no-such-queue' });
    expect(changed.status).toBe(400);
  });

  it('an empty PATCH answers the inbox as it is, or 404 for a missing one', async () => {
    const ok = await app.api('POST', '/api/inboxes', { kind: 'email', address: 'empty-patch@example.org', queue: 'it' });
    const same = await app.api('PATCH', `/api/inboxes/${ok.body.inbox.id}`, {});
    expect(same.status).toBe(200);
    expect(same.body.inbox).toMatchObject({ queue: 'it', address: 'empty-patch@example.org' });
    const missing = await app.api('PATCH', '/api/inboxes/00000000-0000-4000-8000-000000000000', {});
    expect(missing.status).toBe(404);
  });
});

describe('a unique violation is a 409 (the code is read from the wrapped driver error)', () => {
  it('changing an agent’s email to one that is taken', async () => {
    const a = await app.agent({ name: 'Taken Email' });
    const b = await app.agent({ name: 'Wants Email' });
    const r = await app.api('PATCH', `/api/agents/${b.id}`, { email: a.email });
    expect(r.status).toBe(409);
    const [row] = await app.sb.deps.db.select().from(agents).where(eq(agents.id, b.id));
    expect(row.email).toBe(b.email);
  });
});

describe('signed webhooks that are not what the vendor sends', () => {
  it('a voice conference event signed but not form-encoded', async () => {
    const path = '/webhooks/twilio/voice/conference?conversationId=00000000-0000-4000-8000-000000000000';
    const signature = twilio.getExpectedTwilioSignature(TWILIO_AUTH_TOKEN, PUBLIC_URL + path, {});
    const r = await raw('POST', path, JSON.stringify({ ConferenceSid: 'CF' + '0'.repeat(32) }), {
      'content-type': 'application/json',
      'x-twilio-signature': signature,
    });
    expect(r.status).toBeGreaterThanOrEqual(200);
    expect(r.status).toBeLessThan(500);
  });

  const slackPost = async (body: string, contentType = 'application/json') => {
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = `v0=${createHmac('sha256', SLACK_SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
    return raw('POST', '/slack/events', body, {
      'content-type': contentType,
      'x-slack-request-timestamp': ts,
      'x-slack-signature': signature,
    });
  };
  const interaction = (payload: unknown) =>
    slackPost(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded');

  it.each([
    ['event: null', () => slackPost(JSON.stringify({ type: 'event_callback', event_id: 'Ev1', event: null }))],
    ['event: "message"', () => slackPost(JSON.stringify({ type: 'event_callback', event_id: 'Ev2', event: 'message' }))],
    ['a message event without ts', () => slackPost(JSON.stringify({ type: 'event_callback', event: { type: 'message', channel: 'D1' } }))],
    ['view_submission without view', () => interaction({ type: 'view_submission', user: { id: 'U1' } })],
    ['block_actions with user: null', () => interaction({ type: 'block_actions', user: null, actions: [{ action_id: 'a' }] })],
    ['actions: null', () => interaction({ type: 'message_action', user: { id: 'U1' }, actions: null })],
    ['a JSON array', () => slackPost('[1,2]')],
  ])('Slack: %s is 400 with a reason', async (_name, post) => {
    const before = await app.sb.deps.db.execute(sql`select count(*)::int as n from messages`);
    const r = await post();
    expect(r.status).toBe(400);
    expect(r.text.length).toBeGreaterThan(0);
    expect(await app.sb.deps.db.execute(sql`select count(*)::int as n from messages`)).toEqual(before);
  });

  it('Slack: what Bolt cannot classify is still a 200 (Slack must not retry it)', async () => {
    expect((await slackPost(JSON.stringify({ type: 'app_rate_limited', minute_rate_limited: 1 }))).status).toBe(200);
  });
});
