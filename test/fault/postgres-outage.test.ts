import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/harness.js';
import {
  expectNothingLostOrDoubled,
  makeContacts,
  postSms,
  sleep,
  startLoad,
  startScenario,
  waitAllResolved,
  type Scenario,
} from './cluster.js';

let sc: Scenario;
beforeAll(async () => {
  // Every process reaches Postgres through a TCP proxy the test can cut (the shared cluster keeps running).
  sc = await startScenario('fault-pg', { webs: 1, workers: 1, pgProxy: true });
}, 90_000);
afterAll(async () => {
  await sc?.stop();
});

describe('Postgres goes away for a few seconds under load', () => {
  it('webhooks answer 5xx meanwhile (Twilio retries); afterwards every contact is stored once and routed once', async () => {
    const web = sc.webs[0];
    const { contacts, sending } = await startLoad(sc, { agentsUrl: web.url, webhookUrl: web.url, gapMs: 40 });

    await sc.pg!.cut();
    const cutAt = Date.now();
    // Let the pool's reconnect attempts pile up (their back-off must stay short), then a webhook
    // arriving now gets a 5xx well within Twilio's 15 s, never a 200 for a contact that was not stored.
    await sleep(2_000);
    const [probe] = makeContacts(1);
    const started = Date.now();
    const status = await postSms(web.url, probe).catch((err: Error) => err.name);
    expect(status).toBeGreaterThanOrEqual(500);
    expect(Date.now() - started).toBeLessThan(12_000);
    await sleep(Math.max(0, 4_000 - (Date.now() - cutAt)));
    await sc.pg!.restore();
    // Back within seconds: the next webhook is stored.
    const [after] = makeContacts(1);
    await eventually(async () => (await postSms(web.url, after)) === 200, { timeout: 8_000, interval: 200 });

    await sending;
    expect(contacts.every((c) => c.statuses.at(-1) === 200)).toBe(true);
    // Some texts were refused while the database was away and went through on Twilio's retry.
    const retried = contacts.filter((c) => c.statuses.some((s) => typeof s === 'number' && s >= 500));
    expect(retried.length).toBeGreaterThan(0);
    for (const p of [...sc.webs, ...sc.workers]) expect(p.child.exitCode).toBeNull();

    // The probe's retry (Twilio would send it again) is stored too.
    await eventually(async () => (await postSms(web.url, probe)) === 200, { timeout: 15_000, interval: 300 });
    const all = [...contacts, probe, after];
    await waitAllResolved(sc.databaseUrl, all, 60_000);
    const inv = await expectNothingLostOrDoubled(sc, all);
    // A reply whose bookkeeping write was cut off after Twilio took it stays `sending`: never re-sent.
    expect(inv.stuckSends.sending ?? 0).toBeLessThanOrEqual(8);
  }, 170_000);
});
