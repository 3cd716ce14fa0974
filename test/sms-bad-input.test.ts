import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, HOTLINE, randomPhone, startTestApp, TWILIO_ACCOUNT_SID, type TestApp } from './helpers/harness.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('sms-bad-input', { RESERVATION_TIMEOUT_SECONDS: '2' });
});
afterAll(async () => {
  await app?.stop();
});

async function counts() {
  const [row] = (await app.sb.deps.db.execute(sql`
    select (select count(*) from contacts)::int as contacts,
           (select count(*) from conversations)::int as conversations,
           (select count(*) from messages)::int as messages`)) as unknown as {
    contacts: number;
    conversations: number;
    messages: number;
  }[];
  return row;
}

const smsParams = (from: string, body: string, sid = 'SM' + 'a'.repeat(32)) => ({
  MessageSid: sid,
  AccountSid: TWILIO_ACCOUNT_SID,
  From: from,
  To: HOTLINE,
  Body: body,
  NumMedia: '0',
});

describe('Twilio webhooks refuse what Twilio did not send', () => {
  it('a forged signature gets 403 and stores nothing', async () => {
    const before = await counts();
    const r = await app.twilioPost('/webhooks/twilio/sms', smsParams(randomPhone(), 'hello'), { signature: 'bm90IGEgc2lnbmF0dXJl' });
    expect(r.status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it('a missing signature gets 403 and stores nothing', async () => {
    const before = await counts();
    const r = await app.twilioPost('/webhooks/twilio/sms', smsParams(randomPhone(), 'hello'), { signature: null });
    expect(r.status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it('a body signed for another URL (replayed elsewhere) is refused', async () => {
    const params = smsParams(randomPhone(), 'hello');
    const signedForStatus = await import('twilio').then((t) =>
      t.default.getExpectedTwilioSignature(
        'test-auth-token-0123456789abcdef',
        'https://switchboard.test/webhooks/twilio/sms/status',
        params,
      ),
    );
    const r = await app.twilioPost('/webhooks/twilio/sms', params, { signature: signedForStatus });
    expect(r.status).toBe(403);
  });

  it('a malformed (but signed) body gets 400 with a reason and stores nothing', async () => {
    const before = await counts();
    const r = await app.twilioPost('/webhooks/twilio/sms', { From: randomPhone(), To: HOTLINE, Body: 'no sid' });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/MessageSid/);
    expect(await counts()).toEqual(before);
  });
});

describe('redelivery changes nothing', () => {
  it('the same MessageSid twice stores one message and answers the same', async () => {
    const from = randomPhone();
    const first = await app.sms(from, 'first delivery');
    const before = await counts();
    const again = await app.sms(from, 'first delivery', { MessageSid: first.sid });
    expect(again.status).toBe(200);
    expect(again.text).toBe(first.text);
    expect(await counts()).toEqual(before);
  });

  it('the same MessageSid delivered concurrently is stored once', async () => {
    const from = randomPhone();
    const sid = 'SM' + 'c'.repeat(32);
    const before = await counts();
    const results = await Promise.all(Array.from({ length: 8 }, () => app.sms(from, 'burst', { MessageSid: sid })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const after = await counts();
    expect(after.messages - before.messages).toBe(1);
    expect(after.conversations - before.conversations).toBe(1);
    expect(after.contacts - before.contacts).toBe(1);
  });

  it('different first texts from one new number at once open one conversation', async () => {
    const from = randomPhone();
    const before = await counts();
    await Promise.all(Array.from({ length: 6 }, (_, i) => app.sms(from, `part ${i}`)));
    const after = await counts();
    expect(after.messages - before.messages).toBe(6);
    expect(after.conversations - before.conversations).toBe(1);
    expect(after.contacts - before.contacts).toBe(1);
  });
});

describe('a later text', () => {
  it("moves its conversation's last-message time and keeps the first message's conversation", async () => {
    const from = randomPhone();
    await app.sms(from, 'first');
    const lastOf = async () => {
      const [row] = (await app.sb.deps.db.execute(sql`
        select c.id, c.last_message_at from conversations c join contact_identities i on i.contact_id = c.contact_id
        where i.value = ${from}`)) as unknown as { id: string; last_message_at: string }[];
      return { id: row.id, at: new Date(row.last_message_at).getTime() };
    };
    const before = await lastOf();
    await new Promise((r) => setTimeout(r, 20));
    await app.sms(from, 'second');
    const after = await lastOf();
    expect(after.id).toBe(before.id);
    expect(after.at).toBeGreaterThan(before.at);
  });
});

describe('opt-out, opt-in and help', () => {
  it('STOP blocks replies with 409 until START; HELP gets a help reply', async () => {
    // Earlier tests in this file leave donor texts waiting: room for them all, so this donor is offered too.
    const agent = await app.agent({ name: 'Opt', queues: ['donor'], capacity: { sms: 50 } });
    const sock = await app.socket(agent.token);
    const donor = randomPhone();
    await app.sms(donor, 'Please call me about my pledge');
    const offer = await sock.waitFor('reservation.created', (p) => p.contact.address === donor);
    await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, agent.token);

    const help = await app.sms(donor, 'help');
    expect(help.text).toMatch(/<Message>.*STOP/s);

    const stop = await app.sms(donor, 'Stop');
    expect(stop.status).toBe(200);
    expect(stop.text).not.toContain('<Message>');
    const sentBefore = app.twilio.messages().length;
    const refused = await app.api('POST', `/api/conversations/${offer.conversationId}/messages`, { body: 'Are you sure?' }, agent.token);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('opted_out');
    const detail = await app.api('GET', `/api/conversations/${offer.conversationId}`, undefined, agent.token);
    expect(detail.body.contact.identities[0]).toMatchObject({ kind: 'phone', value: donor, optedOut: true });
    expect(detail.body.messages.some((m: any) => m.body === 'Are you sure?')).toBe(false);

    await app.sms(donor, 'START');
    const ok = await app.api('POST', `/api/conversations/${offer.conversationId}/messages`, { body: 'Welcome back' }, agent.token);
    expect(ok.status).toBe(201);
    await eventually(() => app.twilio.messages().find((m) => m.Body === 'Welcome back'));
    expect(app.twilio.messages().length).toBe(sentBefore + 1);
  });

  it('a STOP from a number with no open conversation opens none', async () => {
    const before = await counts();
    await app.sms(randomPhone(), 'STOP');
    const after = await counts();
    expect(after.conversations).toBe(before.conversations);
    expect(after.contacts).toBe(before.contacts + 1);
  });

  it('MMS media URLs are stored and never fetched by the server', async () => {
    let fetched = 0;
    const media = createServer((_req, res) => {
      fetched += 1;
      res.end('jpeg');
    });
    await new Promise<void>((r) => media.listen(0, '127.0.0.1', () => r()));
    const mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}/photo.jpg`;
    const from = randomPhone();
    await app.sms(from, 'see photo', { NumMedia: '1', MediaUrl0: mediaUrl, MediaContentType0: 'image/jpeg' });
    const list = await app.api('GET', '/api/conversations?status=all&limit=100');
    const conv = list.body.conversations.find((c: any) => c.contact.address === from);
    const detail = await app.api('GET', `/api/conversations/${conv.id}`);
    expect(detail.body.messages[0].media).toEqual([{ url: mediaUrl, contentType: 'image/jpeg' }]);
    await new Promise((r) => setTimeout(r, 200));
    expect(fetched).toBe(0);
    media.close();
  });
});

describe('authentication and authorization', () => {
  it('every API route needs a valid token', async () => {
    for (const [method, path] of [
      ['GET', '/api/me'],
      ['GET', '/api/conversations'],
      ['GET', '/api/queues'],
      ['POST', '/api/agents'],
      ['PUT', '/api/me/status'],
      ['POST', '/api/reservations/00000000-0000-0000-0000-000000000000/accept'],
    ] as const) {
      const none = await app.api(method, path, method === 'GET' ? undefined : {}, null);
      expect(none.status, `${method} ${path}`).toBe(401);
      expect(none.body.error.code).toBe('unauthorized');
      const forged = await app.api(method, path, method === 'GET' ? undefined : {}, 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad');
      expect(forged.status).toBe(401);
    }
  });

  it('a bad login is 401 and a good one returns a token and the agent', async () => {
    expect((await app.api('POST', '/api/auth/login', { email: 'admin@example.org', password: 'wrong-password' }, null)).status).toBe(401);
    expect((await app.api('POST', '/api/auth/login', { email: 'nobody@example.org', password: 'x' }, null)).status).toBe(401);
    const ok = await app.api('POST', '/api/auth/login', { email: 'ADMIN@example.org', password: 'admin-password-1' }, null);
    expect(ok.status).toBe(200);
    expect(ok.body.agent).toMatchObject({ email: 'admin@example.org', role: 'admin' });
    expect(ok.body.agent.passwordHash).toBeUndefined();
  });

  it('a socket with a bad token is refused', async () => {
    const s = ioClient(app.url, { path: '/socket.io', auth: { token: 'nope' }, transports: ['websocket'], reconnection: false });
    const err = await new Promise<Error>((resolve) => s.once('connect_error', resolve));
    expect(err.message).toMatch(/invalid|token/i);
    s.close();
  });

  it('only admins create agents; input is validated', async () => {
    const sup = await app.agent({ name: 'Sup', role: 'supervisor', queues: [] });
    const r = await app.api(
      'POST',
      '/api/agents',
      { email: 'x@example.org', name: 'X', password: 'password-1', role: 'agent', queues: [] },
      sup.token,
    );
    expect(r.status).toBe(403);
    const bad = await app.api('POST', '/api/agents', { email: 'not-an-email', name: 'X', password: 'short', role: 'agent', queues: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('bad_request');
    const unknownQueue = await app.api('POST', '/api/agents', {
      email: 'q@example.org',
      name: 'Q',
      password: 'password-1',
      queues: ['nope'],
    });
    expect(unknownQueue.status).toBe(400);
    const dup = await app.api('POST', '/api/agents', { email: 'admin@example.org', name: 'A', password: 'password-1' });
    expect(dup.status).toBe(409);
  });

  it('malformed JSON is a 400 with a reason', async () => {
    const res = await fetch(`${app.url}/api/me/status`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
      body: '{"status":',
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('bad_request');
    const wrong = await app.api('PUT', '/api/me/status', { status: 'dancing' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/status/);
  });

  it('an agent sees only conversations of queues it serves', async () => {
    const itAgent = await app.agent({ name: 'Ivy', queues: ['it'], available: false });
    const donor = randomPhone();
    await app.sms(donor, 'donor-only question');
    const all = await app.api('GET', '/api/conversations?status=all&limit=100');
    const conv = all.body.conversations.find((c: any) => c.contact.address === donor);
    expect(conv.queue).toBe('donor');
    const denied = await app.api('GET', `/api/conversations/${conv.id}`, undefined, itAgent.token);
    expect(denied.status).toBe(403);
    const reply = await app.api('POST', `/api/conversations/${conv.id}/messages`, { body: 'hi', internal: true }, itAgent.token);
    expect(reply.status).toBe(403);
    const mine = await app.api('GET', '/api/conversations?status=all&limit=100', undefined, itAgent.token);
    expect(mine.body.conversations.every((c: any) => c.queue === 'it')).toBe(true);
    const queues = await app.api('GET', '/api/queues', undefined, itAgent.token);
    expect(queues.body.queues.map((q: any) => q.key)).toEqual(['it']);
  });

  it('an agent who is not the assignee cannot reply, resolve or accept someone else’s offer', async () => {
    const a = await app.agent({ name: 'Ann', queues: ['volunteer'] });
    const b = await app.agent({ name: 'Bob', queues: ['volunteer'], available: false });
    const sa = await app.socket(a.token);
    await app.api('POST', '/api/inboxes', { kind: 'phone', address: '+15005550102', queue: 'volunteer' });
    await app.sms(randomPhone(), 'volunteer shift question', { To: '+15005550102' });
    const offer = await sa.waitFor('reservation.created');
    expect((await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, b.token)).status).toBe(404);
    await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, a.token);
    const r = await app.api('POST', `/api/conversations/${offer.conversationId}/messages`, { body: 'I will take it' }, b.token);
    expect(r.status).toBe(403);
    expect((await app.api('POST', `/api/conversations/${offer.conversationId}/resolve`, {}, b.token)).status).toBe(403);
  });
});

describe('offers that lapse and transfers', () => {
  it('an offer that times out goes to the next eligible agent', async () => {
    await app.api('POST', '/api/inboxes', { kind: 'phone', address: '+15005550103', queue: 'crisis' });
    const slow = await app.agent({ name: 'Slow', queues: ['crisis'] });
    const sSlow = await app.socket(slow.token);
    await app.sms(randomPhone(), 'urgent', { To: '+15005550103' });
    const first = await sSlow.waitFor('reservation.created');
    const quick = await app.agent({ name: 'Quick', queues: ['crisis'] });
    const sQuick = await app.socket(quick.token);
    const canceled = await sSlow.waitFor('reservation.canceled', (p) => p.reservationId === first.reservationId, 8000);
    expect(canceled.reason).toBe('timeout');
    const second = await sQuick.waitFor('reservation.created', (p) => p.conversationId === first.conversationId, 8000);
    expect(second.reservationId).not.toBe(first.reservationId);
    const late = await app.api('POST', `/api/reservations/${first.reservationId}/accept`, undefined, slow.token);
    expect(late.status).toBe(409);
  });

  it('a transfer to another queue re-routes it there', async () => {
    const p = await app.agent({ name: 'Pat', queues: ['partner'] });
    const s = await app.socket(p.token);
    const from = randomPhone();
    await app.sms(from, 'actually this is about an endorsement');
    const list = await app.api('GET', '/api/conversations?status=all&limit=100');
    const conv = list.body.conversations.find((c: any) => c.contact.address === from);
    const t = await app.api('POST', `/api/conversations/${conv.id}/transfer`, { queue: 'partner' });
    expect(t.status).toBe(200);
    expect(t.body.conversation.queue).toBe('partner');
    await s.waitFor('reservation.created', (x) => x.conversationId === conv.id);
    const bad = await app.api('POST', `/api/conversations/${conv.id}/transfer`, { queue: 'nope' });
    expect(bad.status).toBe(404);
  });
});

describe('operations', () => {
  it('health, readiness, no public metrics, and the OpenAPI document', async () => {
    expect((await app.api('GET', '/healthz', undefined, null)).status).toBe(200);
    const ready = await app.api('GET', '/readyz', undefined, null);
    expect(ready.body).toEqual({ ok: true, checks: { postgres: true, redis: true } });
    // Metrics are not public (test/access-headers.test.ts covers METRICS_TOKEN and METRICS_PORT).
    expect((await fetch(`${app.url}/metrics`)).status).toBe(404);
    const doc = await app.api('GET', '/api/openapi.json', undefined, null);
    expect(doc.body.openapi).toMatch(/^3\./);
    for (const p of ['/api/auth/login', '/api/conversations/{id}/messages', '/api/reservations/{id}/accept', '/webhooks/twilio/sms']) {
      expect(doc.body.paths[p], p).toBeTruthy();
    }
  });
});
