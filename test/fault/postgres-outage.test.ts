import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, HOTLINE, PUBLIC_URL, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN } from '../helpers/harness.js';
import {
  expectNothingLostOrDoubled,
  makeContacts,
  postSms,
  sendContacts,
  sleep,
  startLoad,
  startScenario,
  waitAllResolved,
  type Scenario,
} from './cluster.js';

let sc: Scenario;
beforeAll(async () => {
  // Every process reaches Postgres through a TCP proxy the test can cut: to them Postgres is stopped
  // (connections refused, open ones dropped) while the shared cluster keeps running for the test's own checks.
  // Two web processes share one journal folder, as on one host.
  sc = await startScenario('fault-pg', { webs: 2, workers: 1, pgProxy: true });
}, 90_000);
afterAll(async () => {
  await sc?.stop();
});

/** An incoming call webhook, signed as Twilio signs it. */
async function postCall(url: string, callSid: string, from: string) {
  const params = { CallSid: callSid, AccountSid: TWILIO_ACCOUNT_SID, From: from, To: HOTLINE, CallStatus: 'ringing', Direction: 'inbound' };
  const signature = twilio.getExpectedTwilioSignature(TWILIO_AUTH_TOKEN, PUBLIC_URL + '/webhooks/twilio/voice', params);
  const res = await fetch(url + '/webhooks/twilio/voice', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, text: await res.text() };
}

describe('Postgres goes away for a few seconds under load (Twilio delivers each webhook once, as by default)', () => {
  it('every text is answered 200 and stored exactly once afterwards; a call meanwhile hears an apology and becomes a missed call', async () => {
    const [webA, webB] = sc.webs;
    // Texts to both web processes, each delivered once (no retry after a non-2xx, as Twilio's default).
    const { contacts, sending } = await startLoad(sc, { agentsUrl: webA.url, webhookUrl: webA.url, gapMs: 40, retry: false });
    const toB = makeContacts(60);
    const sendingB = sendContacts(webB.url, toB, 3, { gapMs: 60, retry: false });

    await sc.pg!.cut();
    const cutAt = Date.now();
    await sleep(2_000);
    // A webhook arriving now is answered 200 well within Twilio's 15 s: journalled, not refused.
    const [probe] = makeContacts(1);
    const started = Date.now();
    expect(await postSms(webB.url, probe)).toBe(200);
    expect(Date.now() - started).toBeLessThan(12_000);
    const callSid = 'CA' + randomBytes(16).toString('hex');
    const call = await postCall(webA.url, callSid, '+14155550123');
    expect(call.status).toBe(200);
    expect(call.text).toContain('cannot take your call');
    expect(call.text).toContain('<Hangup/>');
    await sleep(Math.max(0, 6_000 - (Date.now() - cutAt)));
    await sc.pg!.restore();

    await Promise.all([sending, sendingB]);
    const all = [...contacts, ...toB, probe];
    // Nothing was refused: every delivery got its 200 the first time.
    expect(all.every((c) => c.statuses.length <= 1 && (c.statuses[0] === undefined || c.statuses[0] === 200))).toBe(true);
    const journalled = [...webA.logs, ...webB.logs].filter((l) => l.includes('"webhook journalled')).length;
    expect(journalled).toBeGreaterThan(0);
    for (const p of [...sc.webs, ...sc.workers]) expect(p.child.exitCode).toBeNull();

    // Replayed in order when Postgres is back: each text stored once, routed once, answered once.
    await waitAllResolved(sc.databaseUrl, all, 90_000);
    await expectNothingLostOrDoubled(sc, all);

    // The call is a missed call waiting to be rung back.
    const sql = postgres(sc.databaseUrl, { max: 1, onnotice: () => {} });
    try {
      const missed = await eventually(
        async () => {
          const rows = await sql<{ body: string; mode: string }[]>`
            select m.body, c.metadata->>'mode' as mode from messages m join conversations c on c.id = m.conversation_id
            where m.channel = 'voice' and m.external_id = ${callSid}`;
          return rows.length ? rows : undefined;
        },
        { timeout: 20_000, interval: 500 },
      );
      expect(missed).toHaveLength(1);
      expect(missed[0]).toMatchObject({ mode: 'callback' });
      expect(missed[0].body).toMatch(/^Missed call .* call back \+14155550123$/);
    } finally {
      await sql.end({ timeout: 5 });
    }
  }, 200_000);
});
