import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from './fakes/slack-api.js';
import { PUBLIC_URL, randomPhone, startTestApp, TWILIO_AUTH_TOKEN, type TestApp } from './helpers/harness.js';
import { requestsFrom, weirdString, type FuzzRequest, type OpenApiDoc } from './helpers/openapi-fuzz.js';

/**
 * Bad input never answers 5xx: requests generated from `GET /api/openapi.json`
 * (every route it lists, webhooks correctly signed), with a fixed seed and a
 * bounded number of cases so CI runs the same requests every time.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 180_518);
const RUNS = Number(process.env.FUZZ_RUNS ?? 700);
const SLACK_SECRET = 'slack-signing-secret-fuzz-0123456789';

let app: TestApp;
let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
  app = await startTestApp('fuzz-openapi', {
    SLACK_BOT_TOKEN: slack.token,
    SLACK_SIGNING_SECRET: SLACK_SECRET,
    SLACK_API_URL: slack.url,
    // The softphone configured, so its routes answer rather than 503 "not configured".
    TWILIO_API_KEY: 'SK' + 'a'.repeat(32),
    TWILIO_API_SECRET: 'fuzz-api-secret-0123456789',
    TWILIO_TWIML_APP_SID: 'AP' + 'b'.repeat(32),
    // The sandbox on (real credentials kept for signing), so its routes are fuzzed too.
    SANDBOX: 'true',
    INBOUND_SMTP_PORT: '0',
  });
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await slack?.close();
});

/** A Slack interaction (button, modal submission, shortcut) with any of its parts missing, null or mistyped. */
const slackInteraction: fc.Arbitrary<FuzzRequest> = fc
  .record(
    {
      type: fc.constantFrom('block_actions', 'view_submission', 'view_closed', 'shortcut', 'message_action', 'block_suggestion', 'x'),
      user: fc.oneof(fc.constant(null), fc.record({ id: fc.oneof(weirdString, fc.constant('U123')) }), weirdString),
      team: fc.oneof(fc.constant(null), fc.record({ id: weirdString }), fc.integer()),
      view: fc.oneof(
        fc.constant(null),
        fc.record(
          { id: weirdString, callback_id: fc.constantFrom('helpdesk_request', 'other'), state: fc.jsonValue() },
          { requiredKeys: [] },
        ),
      ),
      actions: fc.oneof(fc.constant(null), fc.array(fc.jsonValue(), { maxLength: 2 })),
      trigger_id: weirdString,
    },
    { requiredKeys: ['type'] },
  )
  .map((payload) => ({
    method: 'POST',
    template: '/slack/events',
    url: '/slack/events',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: Buffer.from(new URLSearchParams({ payload: JSON.stringify(payload) }).toString()),
    authenticated: false,
  }));

/** Sends one generated request, signed the way Twilio or Slack would sign it. */
async function send(r: FuzzRequest): Promise<number> {
  const headers: Record<string, string> = { ...r.headers };
  if (r.authenticated) headers.authorization = `Bearer ${app.adminToken}`;
  if (r.template.startsWith('/webhooks/twilio/')) {
    headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(TWILIO_AUTH_TOKEN, PUBLIC_URL + r.url, r.form ?? {});
  }
  if (r.template === '/slack/events') {
    const ts = String(Math.floor(Date.now() / 1000));
    const mac = createHmac('sha256', SLACK_SECRET).update(`v0:${ts}:`);
    if (r.body) mac.update(r.body);
    headers['x-slack-request-timestamp'] = ts;
    headers['x-slack-signature'] = `v0=${mac.digest('hex')}`;
  }
  const res = await fetch(app.url + r.url, {
    method: r.method,
    headers,
    body: r.method === 'GET' || r.method === 'HEAD' || !r.body ? undefined : new Uint8Array(r.body),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('requests generated from the OpenAPI document', () => {
  it(`${RUNS} malformed, mistyped and mis-encoded requests: none answers 5xx`, { timeout: 240_000 }, async () => {
    // Some real ids, so generated requests also reach the code behind the 404s.
    const sms = await app.sms(randomPhone(), 'fuzz seed conversation');
    expect(sms.status).toBe(200);
    const list = await app.api('GET', '/api/conversations?status=all');
    const known = [
      ...list.body.conversations.map((c: { id: string }) => c.id),
      ...list.body.conversations.map((c: { contactId: string }) => c.contactId),
      'donor',
    ];
    const doc = (await app.api<OpenApiDoc>('GET', '/api/openapi.json', undefined, null)).body;
    // Slack interactivity arrives as a JSON `payload` form field the document can only describe in words.
    const generated = fc.oneof({ arbitrary: requestsFrom(doc, known), weight: 9 }, { arbitrary: slackInteraction, weight: 1 });
    const requests = fc.sample(generated, { seed: SEED, numRuns: RUNS });

    const failures: string[] = [];
    const covered = new Set<string>();
    for (const r of requests) {
      covered.add(`${r.method} ${r.template}`);
      const status = await send(r);
      if (status >= 500) {
        const shown = r.body && r.body.length > 200 ? `${r.body.subarray(0, 200).toString()}…` : r.body?.toString();
        failures.push(`${status} ${r.method} ${r.url} ${JSON.stringify(r.headers)} ${shown ?? ''}`);
      }
    }
    // The generator reaches (nearly) every operation the document lists.
    const operations = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`));
    expect(covered.size).toBeGreaterThan(operations.length * 0.8);
    expect(failures, failures.join('\n')).toEqual([]);
    // Still healthy afterwards.
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });
});
