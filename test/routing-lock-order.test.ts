import { randomBytes, randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { threadSigner } from '../src/channels/email/threading.js';
import { agents, messages, reservations } from '../src/db/schema.js';
import { createLogger } from '../src/logger.js';
import { eventually, startTestApp, type TestApp } from './helpers/harness.js';
import { inboundMail, type Mx } from './helpers/inbound-mail.js';
import { routingFixtures, ROUTING_TEST_ENV } from './helpers/routing-fixtures.js';

/**
 * Issue #15's surge: agents accept offers while supervisors transfer, resolve or set agents away.
 * Each test holds one row with a second, raw connection so that the two requests reach their locks
 * in the one interleaving that deadlocked (each holding what the other waits for), then lets go:
 * before the fix Postgres aborted one of them (40P01) and the person saw a 500 "internal error".
 */
const lines: string[] = [];
const capture = { write: (s: string) => void lines.push(s) };
let app: TestApp;
let raw: postgres.Sql;
/** The sending side of the internet, for contacts who email (a real SMTP client to our inbound port). */
let mx: Mx;
const DOMAIN = 'help.example.org';
beforeAll(async () => {
  const mail = await inboundMail(DOMAIN);
  mx = mail.mx;
  app = await startTestApp(
    'lock-order',
    { ...ROUTING_TEST_ENV, RESERVATION_TIMEOUT_SECONDS: '60', ...mail.env },
    { logger: createLogger('warn', {}, capture) },
  );
  raw = postgres(app.stores.databaseUrl, { max: 2, onnotice: () => {} });
}, 60_000);
afterAll(async () => {
  mx?.close();
  await raw?.end({ timeout: 5 });
  await app?.stop();
});
const { line, text, key, conv } = routingFixtures(() => app);

const retriesLogged = () =>
  lines.filter((l) => l.includes('running it again')).map((l) => JSON.parse(l) as { what: string; err: { code: string } });

/** An offered text (or email) in a fresh queue: the offer, the agent it went to, and a supervisor. */
async function offered(label: string, channel: 'sms' | 'email' = 'sms') {
  const queue = key(label);
  expect((await app.api('POST', '/api/queues', { key: queue, name: `Queue ${label}` })).status).toBe(201);
  const to = channel === 'sms' ? await line(queue) : await mailbox(queue);
  const agent = await app.agent({ name: `Agent ${label}`, queues: [queue] });
  const socket = await app.socket(agent.token);
  const supervisor = await app.agent({ name: `Supervisor ${label}`, role: 'supervisor', queues: [queue], available: false });
  const from = channel === 'sms' ? await text(to) : await firstMail(to);
  const offer = await socket.waitFor('reservation.created');
  return {
    queue,
    to,
    from,
    agent,
    supervisor,
    reservationId: offer.reservationId as string,
    conversationId: offer.conversationId as string,
  };
}

/** A fresh address of ours routed to `queue`. */
async function mailbox(queue: string) {
  const address = `${queue}@${DOMAIN}`;
  expect((await app.api('POST', '/api/inboxes', { kind: 'email', address, queue })).status).toBe(201);
  return address;
}

/** A new contact's first email to `to`; resolves with the sender. */
async function firstMail(to: string) {
  const from = `donor.${randomBytes(4).toString('hex')}@example.com`;
  expect((await mx.sendMail({ from, to, subject: 'My donation', text: 'hello' })).response).toMatch(/^250/);
  return from;
}

/** A backend of this database running a statement that starts with `statement` (or one of them) waits for a row lock. */
async function waiting(statement: string | string[]): Promise<boolean> {
  const [{ n }] = await raw`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and wait_event_type = 'Lock' and wait_event in ('transactionid', 'tuple')
      and exists (select 1 from unnest(${[statement].flat()}::text[]) as s(prefix) where starts_with(query, prefix))`;
  return n > 0;
}

/** The statements the requests below wait in. */
const ACCEPT = 'with "r" as (select "agent_id", "conversation_id", "status"';
const CONVERSATION_LOCK = 'select "id", "number"';
const PRESENCE = 'update "agents" set "presence"';
const AGENT_LOCK = 'select "id", "email"';
/** A crisis check withdrawing the offer (cancelOfferInTx), or lockLiveOffers ahead of the conversation. */
const OFFER_LOCKS = ['update "reservations" set "status"', 'select "id" from "reservations"'];

/**
 * Holds a row (`lockRow` runs a `select ... for update` on a raw connection) while `first` starts
 * and waits in its statement `first.at`, then `second` starts and waits in `second.at`, then lets go;
 * resolves with both answers.
 */
async function interleave<A, B>(
  lockRow: (holder: postgres.ReservedSql) => Promise<unknown>,
  first: { run: () => Promise<A>; at: string | string[] },
  second: { run: () => Promise<B>; at: string | string[] },
) {
  const holder = await raw.reserve();
  try {
    await holder`begin`;
    await lockRow(holder);
    const a = first.run();
    await eventually(() => waiting(first.at));
    const b = second.run();
    await eventually(() => waiting(second.at));
    await holder`commit`;
    return await Promise.all([a, b]);
  } finally {
    await holder`rollback`.catch(() => {});
    holder.release();
  }
}

type Answer = { status: number; body: { error?: { code: string } } };

/** The agent's accept of `o`'s offer, waiting in its one statement. */
const accepting = (o: { reservationId: string; agent: { token: string } }) => ({
  run: () => app.api('POST', `/api/reservations/${o.reservationId}/accept`, {}, o.agent.token),
  at: ACCEPT,
});

/** The withdrawal won: it answered 200, the accept heard the offer is gone, and the offer is canceled. */
async function expectWithdrawn(o: { reservationId: string }, withdrawal: Answer, accept: Answer) {
  expect(withdrawal.status, JSON.stringify(withdrawal.body)).toBe(200);
  expect(accept.status, JSON.stringify(accept.body)).toBe(409);
  expect(accept.body.error?.code).toBe('offer_expired');
  const [r] = await app.sb.deps.db.select().from(reservations).where(eq(reservations.id, o.reservationId));
  expect(r.status).toBe('canceled');
}

describe('accepting an offer while it is withdrawn: one lock order, no deadlock', () => {
  it('a supervisor transfers the offered conversation as the agent accepts: the transfer wins, the accept hears the offer is gone', async () => {
    const o = await offered('xfer');
    const other = key('xferto');
    expect((await app.api('POST', '/api/queues', { key: other, name: 'Queue other' })).status).toBe(201);
    const before = retriesLogged().length;

    // The transfer queues first for the conversation (held here), then the accept comes: before the
    // fix the transfer took the conversation and waited for the offer the accept held, which
    // waited for the conversation.
    const [transfer, accept] = await interleave(
      (tx) => tx`select id from conversations where id = ${o.conversationId} for update`,
      {
        run: () => app.api('POST', `/api/conversations/${o.conversationId}/transfer`, { queue: other }, o.supervisor.token),
        at: CONVERSATION_LOCK,
      },
      accepting(o),
    );

    await expectWithdrawn(o, transfer, accept);
    expect((await conv(o.conversationId)).queueKey).toBe(other);
    expect((await conv(o.conversationId)).assigneeId).toBeNull();
    // Nothing needed a second run: the two never deadlocked.
    expect(retriesLogged().slice(before)).toEqual([]);
  });

  it('a supervisor resolves the offered conversation as the agent accepts: resolved, offer canceled, nobody assigned', async () => {
    const o = await offered('resolve');
    const before = retriesLogged().length;

    const [resolve, accept] = await interleave(
      (tx) => tx`select id from conversations where id = ${o.conversationId} for update`,
      { run: () => app.api('POST', `/api/conversations/${o.conversationId}/resolve`, {}, o.supervisor.token), at: CONVERSATION_LOCK },
      accepting(o),
    );

    await expectWithdrawn(o, resolve, accept);
    expect(await conv(o.conversationId)).toMatchObject({ status: 'resolved', assigneeId: null });
    expect(retriesLogged().slice(before)).toEqual([]);
  });

  it('a supervisor sets the agent (with a lapse to reset) away as they accept: the withdrawal wins, no deadlock', async () => {
    const o = await offered('away');
    // A lapse to reset: the accept then writes the agent's row too (after the offer and the conversation).
    await app.sb.deps.db.update(agents).set({ consecutiveTimeouts: 1 }).where(eq(agents.id, o.agent.id));
    const before = retriesLogged().length;

    // The presence change queues first for the agent's row (held here). Before the fix it held the
    // agent's row and then wanted the offer, which the accept held while it waited for the agent's row.
    const [away, accept] = await interleave(
      (tx) => tx`select id from agents where id = ${o.agent.id} for update`,
      { run: () => app.api('PUT', `/api/agents/${o.agent.id}/status`, { status: 'away' }, o.supervisor.token), at: PRESENCE },
      accepting(o),
    );

    await expectWithdrawn(o, away, accept);
    expect((await conv(o.conversationId)).assigneeId).toBeNull();
    expect(retriesLogged().slice(before)).toEqual([]);
  });
});

describe('a deadlock that remains is run again, not a 500', () => {
  it('an admin deactivates the agent (with a lapse to reset) as they accept: Postgres aborts one, it runs again, and the rows agree', async () => {
    const o = await offered('deact');
    await app.sb.deps.db.update(agents).set({ consecutiveTimeouts: 1 }).where(eq(agents.id, o.agent.id));
    const before = retriesLogged().length;

    // Deactivation locks the agent's row first (queued here behind the held row), then the offers;
    // the accept holds the offer and the conversation and waits for the agent's row: a deadlock
    // still (deactivation reads the agent before it knows what to withdraw), which a second run settles.
    const [deactivate, accept] = await interleave(
      (tx) => tx`select id from agents where id = ${o.agent.id} for update`,
      { run: () => app.api('PATCH', `/api/agents/${o.agent.id}`, { active: false }), at: AGENT_LOCK },
      accepting(o),
    );

    expect(deactivate.status, JSON.stringify(deactivate.body)).toBe(200);
    // Whichever Postgres aborted ran again: the accept then finds the offer withdrawn, or the
    // deactivation finds it accepted (and hands the conversation back to its queue). Never a 500.
    expect([200, 409], JSON.stringify(accept.body)).toContain(accept.status);
    if (accept.status === 409) expect(accept.body.error.code).toBe('offer_expired');
    // Usually one run again; on a busy machine the second run can meet the other side again.
    const retried = retriesLogged().slice(before);
    expect(retried.length).toBeGreaterThanOrEqual(1);
    expect(retried.map((r) => r.err.code)).toEqual(retried.map(() => '40P01'));
    expect(retried.map((r) => r.what)).toContain(accept.status === 409 ? 'accept' : 'agent (de)activation');

    const [r] = await app.sb.deps.db.select().from(reservations).where(eq(reservations.id, o.reservationId));
    expect(r.status).toBe(accept.status === 200 ? 'accepted' : 'canceled');
    expect((await conv(o.conversationId)).assigneeId).toBeNull();
  });

  it('a lock conflict that outlasts the retries answers 409 conflict with a sentence a person can act on', async () => {
    const o = await offered('giveup');
    // Every run of the resolve fails as a serialization failure would: a trigger raises it.
    await app.sb.deps.db.execute(
      sql.raw(`
        create function test_always_conflict() returns trigger language plpgsql as $$
        begin raise exception 'simulated conflict' using errcode = '40001'; end $$;
        create trigger test_always_conflict before update on conversations
          for each row when (new.status = 'resolved') execute function test_always_conflict();`),
    );
    const before = retriesLogged().length;
    try {
      const r = await app.api('POST', `/api/conversations/${o.conversationId}/resolve`, {}, o.supervisor.token);
      expect(r.status, JSON.stringify(r.body)).toBe(409);
      expect(r.body.error.code).toBe('conflict');
      expect(r.body.error.message).toMatch(/someone else changed this at the same moment.*try again/);
      // Three runs in all: two retried, the last one answered.
      expect(
        retriesLogged()
          .slice(before)
          .map((l) => l.what),
      ).toEqual(['resolve', 'resolve']);
    } finally {
      await app.sb.deps.db.execute(sql.raw('drop trigger test_always_conflict on conversations; drop function test_always_conflict()'));
    }
    expect((await conv(o.conversationId)).status).toBe('offered');
  });
});

describe('a crisis written as the agent accepts its conversation: the flag is never lost', () => {
  const flagsLost = () => lines.filter((l) => l.includes('crisis check failed'));

  /**
   * The accept queues first for the offer (held here), then the crisis comes in. Before the fix its
   * message locked the conversation and the crisis check then wanted the offer, which the accept got
   * on release while it waited for the conversation: Postgres aborted one of the two, and when it
   * was the check, the text stayed stored but unflagged (no risk, no crisis.detected).
   */
  async function crisisAsAccepted(
    label: string,
    write: (o: Awaited<ReturnType<typeof offered>>) => Promise<{ status: number }>,
    channel: 'sms' | 'email' = 'sms',
  ) {
    const o = await offered(label, channel);
    const watch = await app.socket(o.supervisor.token);
    const before = { retries: retriesLogged().length, lost: flagsLost().length };

    const [accept, written] = await interleave(
      (tx) => tx`select id from reservations where id = ${o.reservationId} for update`,
      accepting(o),
      { run: () => write(o), at: OFFER_LOCKS },
    );

    expect(written.status).toBeLessThan(300);
    expect(flagsLost().slice(before.lost)).toEqual([]);
    const c = await conv(o.conversationId);
    expect(c.risk).toMatchObject({ level: 'high' });
    await watch.waitFor('crisis.detected', (p) => p.conversationId === o.conversationId);
    // The accept hears a clear answer either way: it took the conversation (which keeps its flag and
    // its queue), or the crisis check withdrew the offer first.
    expect([200, 409], JSON.stringify(accept.body)).toContain(accept.status);
    const [r] = await app.sb.deps.db.select().from(reservations).where(eq(reservations.id, o.reservationId));
    if (accept.status === 200) {
      expect(c).toMatchObject({ status: 'assigned', assigneeId: o.agent.id, queueKey: o.queue });
      expect(r.status).toBe('accepted');
    } else {
      expect(accept.body.error.code).toBe('offer_expired');
      expect(c).toMatchObject({ queueKey: 'crisis', assigneeId: null });
      expect(r.status).toBe('canceled');
    }
    expect(retriesLogged().slice(before.retries)).toEqual([]);
  }

  it('the contact texts a crisis on the offered conversation: flagged, supervisors alerted, the accept answered', async () => {
    await crisisAsAccepted('crisistext', (o) => app.sms(o.from, "I can't do this anymore, I'm going to kill myself tonight", { To: o.to }));
  });

  it('the contact emails a crisis in reply to our mail, named by In-Reply-To alone: flagged all the same', async () => {
    await crisisAsAccepted(
      'crisismail',
      async (o) => {
        // A signed id of ours names the conversation; without References the reply starts a thread
        // key of its own, so only the name leads to the conversation (and to its live offer).
        const ours = threadSigner(app.config).messageIdFor(o.conversationId, randomUUID());
        const r = await mx.sendMail({
          from: o.from,
          to: o.to,
          subject: 'Re: My donation',
          inReplyTo: ours,
          text: "I can't do this anymore, I'm going to kill myself tonight",
        });
        return { status: r.response.startsWith('250') ? 200 : 500 };
      },
      'email',
    );
  });

  it("a voicemail's transcription with a crisis arrives on the offered conversation: flagged all the same", async () => {
    await crisisAsAccepted('crisisvm', async (o) => {
      // The recording the transcription belongs to (only its message matters to attachTranscription).
      const recordingSid = 'RE' + randomBytes(16).toString('hex');
      await app.sb.deps.db
        .insert(messages)
        .values({ conversationId: o.conversationId, channel: 'voice', direction: 'inbound', body: 'Voicemail', externalId: recordingSid });
      return app.twilioPost('/webhooks/twilio/voice/transcription', {
        TranscriptionSid: 'TR' + randomBytes(16).toString('hex'),
        TranscriptionText: 'Hi, please call me back, I want to end my life',
        TranscriptionStatus: 'completed',
        RecordingSid: recordingSid,
        CallSid: 'CA' + randomBytes(16).toString('hex'),
      });
    });
  });
});
