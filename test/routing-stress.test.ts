import fc from 'fast-check';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSwitchboardProcess, switchboardEnv, type SbProcess } from './fault/cluster.js';
import { eventually, randomPhone, startTestApp, TEST_REDIS_URL, type AgentSocket, type TestApp } from './helpers/harness.js';

/**
 * Several worker processes route at once while agents come and go and answer
 * offers at random (a seeded fast-check script); after every step the
 * routing invariants are checked in SQL, and one worker is killed with
 * SIGKILL in the middle of it.
 */
const SEED = Number(process.env.ROUTING_STRESS_SEED ?? 20261123);
const WORKERS = 3;
const STEPS = 45;

let app: TestApp;
let sql: postgres.Sql;
const workers: SbProcess[] = [];
const lines: Record<string, string> = {};
type Bot = { id: string; token: string; socket: AgentSocket; queues: string[] };
const bots: Bot[] = [];

beforeAll(async () => {
  const env = { REOFFER_COOLDOWN_SECONDS: '0', RESERVATION_TIMEOUT_SECONDS: '4', STICKY_WINDOW_SECONDS: '3600' };
  // This process is a web process only: every routing decision happens in the worker processes.
  app = await startTestApp('routing-stress', { ROLE: 'web', ...env });
  sql = postgres(app.stores.databaseUrl, { max: 2, onnotice: () => {} });
  const wEnv = switchboardEnv(
    { databaseUrl: app.stores.databaseUrl, redisUrl: TEST_REDIS_URL, redisPrefix: app.stores.redisPrefix, twilioApiUrl: app.twilio.url },
    { ...env, LOG_LEVEL: 'info' },
  );
  workers.push(...(await Promise.all(Array.from({ length: WORKERS }, (_, i) => startSwitchboardProcess(`worker-${i}`, 'worker', wEnv)))));
  for (const [queue, number] of [
    ['donor', '+15005550301'],
    ['it', '+15005550302'],
  ] as const) {
    await app.api('POST', '/api/inboxes', { kind: 'phone', address: number, queue });
    lines[queue] = number;
  }
  const specs = [
    { queues: ['donor'], sms: 1 },
    { queues: ['donor'], sms: 2 },
    { queues: ['it'], sms: 1 },
    { queues: ['donor', 'it'], sms: 2 },
    { queues: ['donor', 'it'], sms: 1 },
  ];
  for (const [i, s] of specs.entries()) {
    const a = await app.agent({ name: `Bot${i}`, queues: s.queues, capacity: { sms: s.sms }, available: false });
    bots.push({ ...a, socket: await app.socket(a.token), queues: s.queues });
  }
}, 90_000);

afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  await sql?.end({ timeout: 5 });
  await app?.stop();
});

/** Every invariant that must hold at any instant, whatever the workers are doing. */
async function checkInvariants(step: string) {
  const overCapacity = await sql`
    select a.id, x.channel, x.n, (a.capacity->>x.channel)::int as cap from agents a
    join lateral (
      select channel, count(*) as n from (
        select channel from conversations where assignee_id = a.id and status = 'assigned'
        union all select channel from reservations where agent_id = a.id and status = 'pending'
      ) u group by channel
    ) x on true
    where x.n > (a.capacity->>x.channel)::int`;
  expect(overCapacity, `over capacity at ${step}`).toEqual([]);
  const twoOffers =
    await sql`select conversation_id from reservations where status = 'pending' group by conversation_id having count(*) > 1`;
  expect(twoOffers, `two live offers at ${step}`).toEqual([]);
  const twoAssignees =
    await sql`select conversation_id from reservations where status = 'accepted' group by conversation_id having count(distinct agent_id) > 1`;
  expect(twoAssignees, `two assignees at ${step}`).toEqual([]);
  // Status and offers agree: offered ⇔ a live offer; assigned ⇒ an assignee; waiting or offered ⇒ none.
  const inconsistent = await sql`
    select c.id, c.status, c.assignee_id, (select count(*) from reservations r where r.conversation_id = c.id and r.status = 'pending')::int as pending
    from conversations c
    where (c.status = 'offered') <> exists (select 1 from reservations r where r.conversation_id = c.id and r.status = 'pending')
       or (c.status = 'assigned' and c.assignee_id is null)
       or (c.status in ('waiting', 'offered') and c.assignee_id is not null)`;
  expect(inconsistent, `status and offers disagree at ${step}`).toEqual([]);
  const offersToAbsent = await sql`
    select r.id from reservations r join agents a on a.id = r.agent_id
    where r.status = 'pending' and a.presence in ('away', 'offline')`;
  expect(offersToAbsent, `live offer to an absent agent at ${step}`).toEqual([]);
}

/** Within a queue, channel and priority, first offers follow arrival order. */
async function checkOldestFirst() {
  const outOfOrder = await sql`
    select a.id as older, b.id as newer from conversations a join conversations b
      on a.queue_key = b.queue_key and a.channel = b.channel and a.priority = b.priority
    where a.queued_at < b.queued_at and b.first_offered_at is not null
      and (a.first_offered_at is null or a.first_offered_at > b.first_offered_at)
      -- a was still waiting for its first offer when b got one
      and (a.first_offered_at is not null or a.status in ('waiting'))`;
  expect(outOfOrder).toEqual([]);
}

type Action =
  | { kind: 'text'; queue: 'donor' | 'it'; burst: number }
  | { kind: 'presence'; bot: number; status: 'available' | 'away' | 'offline' }
  | { kind: 'answer'; bot: number; accept: boolean }
  | { kind: 'resolve'; bot: number }
  | { kind: 'kill' };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('text' as const),
      queue: fc.constantFrom('donor' as const, 'it' as const),
      burst: fc.integer({ min: 1, max: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('presence' as const),
      bot: fc.nat(4),
      status: fc.constantFrom('available' as const, 'available' as const, 'away' as const, 'offline' as const),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('answer' as const), bot: fc.nat(4), accept: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('resolve' as const), bot: fc.nat(4) }) },
);

async function run(action: Action) {
  switch (action.kind) {
    case 'text':
      // Sequential, so arrival order is commit order.
      for (let i = 0; i < action.burst; i++) await app.sms(randomPhone(), 'help please', { To: lines[action.queue] });
      return;
    case 'presence': {
      const b = bots[action.bot];
      expect((await app.api('PUT', '/api/me/status', { status: action.status }, b.token)).status).toBe(200);
      return;
    }
    case 'answer': {
      const b = bots[action.bot];
      const [offer] = await sql`select id from reservations where agent_id = ${b.id} and status = 'pending' limit 1`;
      if (!offer) return;
      const r = await app.api('POST', `/api/reservations/${offer.id}/${action.accept ? 'accept' : 'reject'}`, undefined, b.token);
      // An offer may lapse or be withdrawn between the read and the answer: that is a 409, never a 5xx.
      expect([200, 409]).toContain(r.status);
      return;
    }
    case 'resolve': {
      const b = bots[action.bot];
      const [c] = await sql`select id from conversations where assignee_id = ${b.id} and status = 'assigned' limit 1`;
      if (!c) return;
      expect((await app.api('POST', `/api/conversations/${c.id}/resolve`, {}, b.token)).status).toBe(200);
      return;
    }
    case 'kill': {
      // Mid-assignment: a burst of contacts is being routed right now.
      await Promise.all([app.sms(randomPhone(), 'x', { To: lines.donor }), app.sms(randomPhone(), 'y', { To: lines.it })]);
      const victim = workers.shift()!;
      victim.kill('SIGKILL');
      await victim.exited;
      return;
    }
  }
}

describe('routing under concurrency (several worker processes)', () => {
  it('keeps every invariant through random agent behaviour and a SIGKILLed worker', async () => {
    const [script] = fc.sample(fc.array(actionArb, { minLength: STEPS, maxLength: STEPS }), { seed: SEED, numRuns: 1 });
    const actions: Action[] = [
      ...bots.map((_, bot) => ({ kind: 'presence' as const, bot, status: 'available' as const })),
      ...script.slice(0, STEPS / 2),
      { kind: 'kill' },
      ...script.slice(STEPS / 2),
    ];
    for (const [i, a] of actions.entries()) {
      await run(a);
      await checkInvariants(`step ${i} (${JSON.stringify(a)})`);
    }

    // Quiescence: everyone available and answering yes.
    for (const b of bots) await app.api('PUT', '/api/me/status', { status: 'available' }, b.token);
    await eventually(
      async () => {
        for (const b of bots) await run({ kind: 'answer', bot: bots.indexOf(b), accept: true });
        await checkInvariants('quiescence');
        // No contact waits while an available agent serving its queue has room on its channel.
        const stranded = await sql`
          select c.id from conversations c
          where c.status in ('waiting', 'offered')
             or exists (select 1 from agents a join agent_queues aq on aq.agent_id = a.id and aq.queue_key = c.queue_key
                 where c.status = 'waiting' and a.presence = 'available'
                   and (a.capacity->>c.channel)::int > (
                     (select count(*) from conversations x where x.assignee_id = a.id and x.status = 'assigned' and x.channel = c.channel)
                     + (select count(*) from reservations r where r.agent_id = a.id and r.status = 'pending' and r.channel = c.channel)))`;
        const capacityLeft = await sql`
          select 1 from agents a join agent_queues aq on aq.agent_id = a.id
          where a.presence = 'available' and (a.capacity->>'sms')::int > (
            select count(*) from conversations x where x.assignee_id = a.id and x.status = 'assigned' and x.channel = 'sms')
          and exists (select 1 from conversations c where c.queue_key = aq.queue_key and c.status = 'waiting')`;
        // Either all work is taken, or every agent who could take more is full.
        return stranded.length === 0 || capacityLeft.length === 0;
      },
      { timeout: 30_000, interval: 250 },
    );
    const stranded = await sql`
      select c.id from conversations c join agent_queues aq on aq.queue_key = c.queue_key join agents a on a.id = aq.agent_id
      where c.status = 'waiting' and a.presence = 'available' and (a.capacity->>c.channel)::int > (
        select count(*) from conversations x where x.assignee_id = a.id and x.status = 'assigned' and x.channel = c.channel)`;
    expect(stranded).toEqual([]);
    await checkOldestFirst();

    // Nothing lost: every contact that texted has a conversation; nothing offered twice: each offer announced once.
    const [{ n: total }] = await sql`select count(*)::int as n from conversations`;
    const [{ n: inbound }] = await sql`select count(distinct conversation_id)::int as n from messages where direction = 'inbound'`;
    expect(inbound).toBe(total);
    const announced = bots.flatMap((b) =>
      b.socket.events.filter((e) => e.event === 'reservation.created').map((e) => e.payload.reservationId as string),
    );
    expect(new Set(announced).size).toBe(announced.length);
    const [{ n: offers }] = await sql`select count(*)::int as n from reservations`;
    // The script really routed something (not a vacuous pass).
    expect(offers).toBeGreaterThanOrEqual(5);
    expect(workers).toHaveLength(WORKERS - 1);
  }, 120_000);
});
