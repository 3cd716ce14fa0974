import { sql } from 'drizzle-orm';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUndelivered } from '../src/core/conversations/deliver-message.js';
import { QUEUE_NAMES } from '../src/jobs/queues.js';
import { eventually, randomPhone, startTestApp, TEST_REDIS_URL, type AgentSocket, type TestApp } from './helpers/harness.js';

let app: TestApp;
beforeAll(async () => {
  // Two attempts, so "attempts exhausted" happens within a test (the default is 12, about 34 minutes).
  app = await startTestApp('failed-sends', { SEND_ATTEMPTS: '2' });
});
afterAll(async () => {
  await app?.stop();
});

/** An agent who holds a fresh SMS conversation; offline again afterwards so later tests get their own agent. */
async function agentWithConversation(name: string) {
  const agent = await app.agent({ name, queues: ['donor'] });
  const sock = await app.socket(agent.token);
  await app.sms(randomPhone(), `Hello from a donor (${name})`);
  const offer = await sock.waitFor('reservation.created');
  expect((await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, agent.token)).status).toBe(200);
  return {
    ...agent,
    sock,
    conversationId: offer.conversationId as string,
    done: () => app.api('PUT', '/api/me/status', { status: 'offline' }, agent.token),
  };
}

const messageIn = async (conversationId: string, id: string, token: string) => {
  const c = await app.api('GET', `/api/conversations/${conversationId}`, undefined, token);
  return c.body.messages.find((m: any) => m.id === id);
};

const updated = (sock: AgentSocket, id: string, status: string) =>
  sock.waitFor('message.updated', (p) => p.message.id === id && p.message.status === status, 15_000);

describe('a reply that cannot be delivered', () => {
  it('a number Twilio rejects ends failed with Twilio’s reason, pushed as message.updated; Retry sends it once', async () => {
    const a = await agentWithConversation('Fay');
    app.twilio.failNext(400, 21211, "The 'To' number +1555 is not a valid phone number.");
    const reply = await app.api('POST', `/api/conversations/${a.conversationId}/messages`, { body: 'Your receipt is on its way' }, a.token);
    expect(reply.status).toBe(201);

    const failed = await updated(a.sock, reply.body.message.id, 'failed');
    expect(failed.conversationId).toBe(a.conversationId);
    expect(failed.message.error).toMatch(/21211.*not a valid phone number/);
    expect(await messageIn(a.conversationId, reply.body.message.id, a.token)).toMatchObject({
      status: 'failed',
      error: failed.message.error,
    });

    // The failed job is still in Redis (removeOnFail keeps it): the retry must not be swallowed by its id.
    const outbound = new Queue(QUEUE_NAMES.outbound, { connection: new Redis(TEST_REDIS_URL), prefix: app.config.redisPrefix });
    expect(await outbound.getJobState(`send-${reply.body.message.id}`)).toBe('failed');
    await outbound.close();
    const retried = await app.api('POST', `/api/messages/${reply.body.message.id}/retry`, undefined, a.token);
    expect(retried.status).toBe(202);
    expect(retried.body.message).toMatchObject({ status: 'pending', error: null });
    await updated(a.sock, reply.body.message.id, 'queued');
    expect(app.twilio.messages().filter((m) => m.Body === 'Your receipt is on its way')).toHaveLength(2); // the refused one and the retry
    expect(await messageIn(a.conversationId, reply.body.message.id, a.token)).toMatchObject({ status: 'queued', error: null });

    // A reply that is not failed cannot be "retried" into a second text.
    const again = await app.api('POST', `/api/messages/${reply.body.message.id}/retry`, undefined, a.token);
    expect(again.status).toBe(409);
    await a.done();
  });

  it('a vendor outage that outlasts every attempt ends failed with the last error, not pending forever', async () => {
    const a = await agentWithConversation('Gus');
    app.twilio.failNext(503, 20503, 'Service Unavailable', 2);
    const reply = await app.api('POST', `/api/conversations/${a.conversationId}/messages`, { body: 'We are looking into it' }, a.token);
    const failed = await updated(a.sock, reply.body.message.id, 'failed');
    expect(failed.message.error).toMatch(/Service Unavailable/);
    await a.done();
  });

  it('only the assignee or a supervisor may retry, and only replies', async () => {
    const a = await agentWithConversation('Hal');
    app.twilio.failNext(400, 21610, 'Attempt to send to unsubscribed recipient');
    const reply = await app.api('POST', `/api/conversations/${a.conversationId}/messages`, { body: 'Hello again' }, a.token);
    await updated(a.sock, reply.body.message.id, 'failed');
    const other = await app.agent({ name: 'Ivy', queues: ['donor'], available: false });
    expect((await app.api('POST', `/api/messages/${reply.body.message.id}/retry`, undefined, other.token)).status).toBe(403);
    const c = await app.api('GET', `/api/conversations/${a.conversationId}`, undefined, a.token);
    const inbound = c.body.messages.find((m: any) => m.direction === 'inbound');
    expect((await app.api('POST', `/api/messages/${inbound.id}/retry`, undefined, a.token)).status).toBe(400);
    expect((await app.api('POST', '/api/messages/not-a-uuid/retry', undefined, a.token)).status).toBe(400);
    expect((await app.api('POST', `/api/messages/${crypto.randomUUID()}/retry`, undefined, a.token)).status).toBe(404);
    await a.done();
  });
});

describe('the reconciler', () => {
  it('re-drives stranded replies oldest first, in pages, however many are stuck', async () => {
    const a = await agentWithConversation('Jo');
    // 201 replies whose send jobs never reached Redis, the oldest inserted last (so heap order is not age order).
    const db = app.sb.deps.db;
    await db.execute(sql`
      insert into messages (conversation_id, channel, direction, body, status, created_at)
      select ${a.conversationId}::uuid, 'sms', 'outbound', 'stranded ' || g, 'pending', now() - interval '1 hour' + make_interval(secs => g)
      from generate_series(1, 200) g`);
    await db.execute(sql`
      insert into messages (conversation_id, channel, direction, body, status, created_at)
      values (${a.conversationId}::uuid, 'sms', 'outbound', 'stranded oldest', 'pending', now() - interval '2 hours')`);
    const first = await findUndelivered(db, 10, { limit: 200 });
    expect(first).toHaveLength(200);
    const bodies = async (ids: string[]) =>
      (await db.query.messages.findMany({ where: (m, { inArray }) => inArray(m.id, ids) })).map((m) => m.body);
    expect(await bodies([first[0].id])).toEqual(['stranded oldest']);
    const second = await findUndelivered(db, 10, { limit: 200, after: first[199] });
    expect(second).toHaveLength(1);
    expect(new Set([...first, ...second].map((m) => m.id)).size).toBe(201);

    // And the running reconciler sends every one of them, once.
    await eventually(() => app.twilio.messages().filter((m) => m.Body?.startsWith('stranded ')).length === 201, { timeout: 30_000 });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(app.twilio.messages().filter((m) => m.Body?.startsWith('stranded ')).length).toBe(201);
    await a.done();
  });

  it('a reply the vendor took is never sent again when recording it fails (Postgres away after the send)', async () => {
    const a = await agentWithConversation('Lou');
    // Recording this reply as sent fails, as it would with Postgres gone between the send and the write.
    await app.sb.deps.db.execute(
      sql.raw(
        `alter table messages add constraint test_record_fails check (body <> 'taken, not recorded' or status in ('pending', 'sending', 'failed')) not valid`,
      ),
    );
    try {
      const reply = await app.api('POST', `/api/conversations/${a.conversationId}/messages`, { body: 'taken, not recorded' }, a.token);
      expect(reply.status).toBe(201);
      await eventually(() => app.twilio.messages().some((m) => m.Body === 'taken, not recorded'));
      // Both attempts (SEND_ATTEMPTS 2) have had their chance; the first left the row `sending`.
      await new Promise((r) => setTimeout(r, 3_000));
      expect(app.twilio.messages().filter((m) => m.Body === 'taken, not recorded')).toHaveLength(1);
      const [row] = await app.sb.deps.db.execute<{ status: string }>(sql`select status from messages where id = ${reply.body.message.id}`);
      expect(row.status).toBe('sending');
    } finally {
      await app.sb.deps.db.execute(sql.raw('alter table messages drop constraint test_record_fails'));
      await a.done();
    }
  });

  it('a reply whose sender died during the vendor call ends failed as "delivery unknown", never sent twice', async () => {
    const a = await agentWithConversation('Kim');
    const [row] = await app.sb.deps.db.execute<{ id: string }>(sql`
      insert into messages (conversation_id, channel, direction, body, status, sending_at)
      values (${a.conversationId}::uuid, 'sms', 'outbound', 'lost in flight', 'sending', now() - interval '10 minutes')
      returning id`);
    const failed = await updated(a.sock, row.id, 'failed');
    expect(failed.message.error).toMatch(/delivery unknown/);
    expect(app.twilio.messages().some((m) => m.Body === 'lost in flight')).toBe(false);
    await a.done();
  });
});
