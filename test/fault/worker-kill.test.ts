import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNothingLostOrDoubled, startLoad, startScenario, waitAllResolved, type Scenario } from './cluster.js';

let sc: Scenario;
beforeAll(async () => {
  sc = await startScenario('fault-kill', { webs: 1, workers: 2 });
}, 90_000);
afterAll(async () => {
  await sc?.stop();
});

describe('a worker is killed (kill -9) in the middle of routing under load', () => {
  it('loses no contact, offers each to one agent at a time, sends no reply twice', async () => {
    const web = sc.webs[0];
    const { contacts, sending } = await startLoad(sc, { agentsUrl: web.url, webhookUrl: web.url, concurrency: 8 });

    // Kill whichever worker is routing right now (it logged offers most recently).
    const lastOffer = (p: (typeof sc.workers)[number]) =>
      p.logs.map((l, i) => (l.includes('"offers made"') ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
    const victim = [...sc.workers].sort((a, b) => lastOffer(b) - lastOffer(a))[0];
    victim.kill('SIGKILL');
    expect(await victim.exited).toBeNull();

    await sending;
    expect(contacts.every((c) => c.statuses.at(-1) === 200)).toBe(true);
    await waitAllResolved(sc.databaseUrl, contacts, 60_000);
    // Replies: none left pending (the reconciler or a stalled-job retry picks up the killed worker's sends).
    const inv = await expectNothingLostOrDoubled(sc, contacts, 60_000);
    // A send the killed worker had claimed may stay `sending` (unknown, never re-sent); at most its concurrency.
    expect(inv.stuckSends.sending ?? 0).toBeLessThanOrEqual(8);
    expect(inv.repliesSent).toBeGreaterThanOrEqual(100 - (inv.stuckSends.sending ?? 0));
  }, 170_000);
});
