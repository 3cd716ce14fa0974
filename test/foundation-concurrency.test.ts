import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { startSwitchboard, type Switchboard } from '../src/switchboard.js';
import { eventually, randomPhone, startTestApp, type AgentSocket, type TestApp } from './helpers/harness.js';

const CONTACTS = 60;
const AGENTS = 6;
const SMS_CAPACITY = 2;

let app: TestApp;
const extraWorkers: Switchboard[] = [];

beforeAll(async () => {
  app = await startTestApp('concurrency', { REOFFER_COOLDOWN_SECONDS: '1', RESERVATION_TIMEOUT_SECONDS: '5' });
  // Two more worker processes' worth of routing on the same Postgres and Redis.
  for (let i = 0; i < 2; i++) {
    extraWorkers.push(await startSwitchboard({ ...app.config, role: 'worker' }, { logger: createLogger('silent') }));
  }
});
afterAll(async () => {
  for (const w of extraWorkers) await w.stop();
  await app?.stop();
});

type Violation = string;

/** The invariants, read straight from Postgres. */
async function checkInvariants(): Promise<Violation[]> {
  const rows = (await app.sb.deps.db.execute(sql`
    select 'over capacity: ' || a.name as v from agents a
      where (select count(*) from conversations c where c.assignee_id = a.id and c.status = 'assigned' and c.channel = 'sms')
          + (select count(*) from reservations r where r.agent_id = a.id and r.status = 'pending' and r.channel = 'sms')
          > (a.capacity->>'sms')::int
    union all
    select 'two live offers: ' || conversation_id from reservations where status = 'pending'
      group by conversation_id having count(*) > 1
    union all
    select 'offer on a non-offered conversation: ' || c.id from reservations r join conversations c on c.id = r.conversation_id
      where r.status = 'pending' and c.status <> 'offered'
    union all
    select 'offered without a live offer: ' || c.id from conversations c
      where c.status = 'offered' and not exists (select 1 from reservations r where r.conversation_id = c.id and r.status = 'pending')
    union all
    select 'assigned without assignee: ' || id from conversations where status = 'assigned' and assignee_id is null
  `)) as unknown as { v: string }[];
  return rows.map((r) => r.v);
}

describe('routing under concurrency', () => {
  it('never exceeds capacity nor makes two live offers, across parallel workers', async () => {
    // A seeded plan of who accepts and who rejects, so a failure replays.
    const seed = 20261123;
    const decisions = fc.sample(
      fc.record({ accept: fc.double({ min: 0, max: 1 }), think: fc.integer({ min: 0, max: 40 }), work: fc.integer({ min: 10, max: 120 }) }),
      { seed, numRuns: 2000 },
    );
    let next = 0;

    const agents = await Promise.all(
      Array.from({ length: AGENTS }, (_, i) => app.agent({ name: `Agent ${i}`, queues: ['donor'], capacity: { sms: SMS_CAPACITY } })),
    );
    const sockets: AgentSocket[] = [];
    const accepted = new Map<string, number>();
    for (const a of agents) {
      const s = await app.socket(a.token);
      sockets.push(s);
      s.socket.on('reservation.created', (offer: { reservationId: string; conversationId: string }) => {
        const d = decisions[next++ % decisions.length];
        setTimeout(async () => {
          if (d.accept < 0.2) {
            await app.api('POST', `/api/reservations/${offer.reservationId}/reject`, undefined, a.token);
            return;
          }
          const r = await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, a.token);
          if (r.status !== 200) return;
          accepted.set(offer.conversationId, (accepted.get(offer.conversationId) ?? 0) + 1);
          setTimeout(() => void app.api('POST', `/api/conversations/${offer.conversationId}/resolve`, {}, a.token), d.work);
        }, d.think);
      });
    }

    const violations: Violation[] = [];
    let monitoring = true;
    const monitor = (async () => {
      while (monitoring) {
        violations.push(...(await checkInvariants()));
        await new Promise((r) => setTimeout(r, 15));
      }
    })();

    const phones = Array.from({ length: CONTACTS }, () => randomPhone());
    const sent = await Promise.all(phones.map((p, i) => app.sms(p, `contact ${i}`)));
    expect(sent.every((r) => r.status === 200)).toBe(true);

    const resolved = await eventually(
      async () => {
        const [r] = (await app.sb.deps.db.execute(
          sql`select count(*) filter (where status = 'resolved')::int as resolved, count(*)::int as total from conversations`,
        )) as unknown as { resolved: number; total: number }[];
        return r.resolved === CONTACTS ? r : undefined;
      },
      { timeout: 60_000, interval: 100 },
    );
    monitoring = false;
    await monitor;

    expect(violations).toEqual([]);
    expect(resolved.total).toBe(CONTACTS);
    // Every conversation was accepted exactly once.
    expect(accepted.size).toBe(CONTACTS);
    expect([...accepted.values()].every((n) => n === 1)).toBe(true);
    // Work was spread: every agent took some.
    const [spread] = (await app.sb.deps.db.execute(
      sql`select count(distinct assignee_id)::int as n from conversations where status = 'resolved'`,
    )) as unknown as { n: number }[];
    expect(spread.n).toBe(AGENTS);
  }, 90_000);
});
