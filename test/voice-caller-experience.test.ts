import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueCall } from '../src/core/calls/enqueue-call.js';
import { requestCallback } from '../src/core/calls/request-callback.js';
import { conversations, messages } from '../src/db/schema.js';
import { eventually as eventuallyMaybe, HOTLINE, startTestApp, type TestApp } from './helpers/harness.js';
import { all, callSid, dialablePhone, first, pathOf, recordingSid, simulateCall, spoken, type XmlNode } from './voice-helpers.js';

/**
 * Issue 21: the caller's experience, walked as Twilio drives a call (signed
 * webhooks in Twilio's order, TwiML answers parsed). One app of its own: no
 * agent takes calls here unless a test says so.
 */
const eventually = async <T>(fn: () => T | Promise<T>) => (await eventuallyMaybe(fn)) as NonNullable<T>;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('voice-caller-experience', { VOICE_RESERVATION_TIMEOUT_SECONDS: '30' });
  expect((await app.api('POST', '/api/inboxes', { kind: 'phone', address: HOTLINE, queue: 'donor' })).status).toBe(201);
});
afterAll(async () => {
  await app?.stop();
});

const db = () => app.sb.deps.db;
const convOfCall = async (sid: string) => (await db().select().from(conversations).where(eq(conversations.threadKey, sid)))[0];

/** English, then a menu key: the enqueue TwiML. */
async function callInto(menuKey: string, from = dialablePhone()) {
  const call = simulateCall(app, { from, to: HOTLINE });
  const queued = await call.press(await call.press(await call.ring(), '1'), menuKey);
  await eventually(() => convOfCall(call.sid));
  return { call, queued, from };
}

/** A callback request left earlier by someone else (no longer on the line). */
async function leftCallback(queue: string) {
  const from = dialablePhone();
  await requestCallback(app.sb.deps, {
    callSid: callSid(),
    from,
    to: HOTLINE,
    flow: 'main',
    lang: 'en',
    number: from,
    queue,
    priorityBoost: 0,
  });
}

describe('1. hold position and estimate count only callers on the line', () => {
  it('voicemails and callbacks are not "ahead"; the estimate comes from recent answers; live callers are offered first', async () => {
    for (let i = 0; i < 5; i++) await leftCallback('partner');
    const { call, queued } = await callInto('3');
    const hold = await call.follow(queued);
    // No one else is on the line and nothing was answered lately: position 1, no made-up estimate.
    expect(spoken(hold)).toBe('You are caller number 1 in line.');

    // The queue answered three calls two minutes apart in the last hour: about 2 minutes per caller.
    const now = Date.now();
    for (const minutesAgo of [10, 8, 6]) {
      const sid = callSid();
      await enqueueCall(app.sb.deps, {
        callSid: sid,
        from: dialablePhone(),
        to: HOTLINE,
        flow: 'main',
        node: 'partner',
        lang: 'en',
        queue: 'partner',
        priorityBoost: 0,
        record: false,
      });
      await db()
        .update(conversations)
        .set({ status: 'resolved', acceptedAt: new Date(now - minutesAgo * 60_000), resolvedAt: new Date(now) })
        .where(eq(conversations.threadKey, sid));
    }
    const again = await call.follow(hold);
    expect(spoken(again)).toBe('You are caller number 1 in line. The estimated wait is about 2 minutes.');

    // An agent frees up: the live caller is offered before the older callbacks of the same queue.
    const pat = await app.agent({ name: 'Pat', queues: ['partner'] });
    const sock = await app.socket(pat.token);
    const offer = await sock.waitFor('reservation.created', (p) => p.channel === 'voice');
    expect(offer.conversationId).toBe((await convOfCall(call.sid)).id);
    await call.status('completed');
    await app.api('PUT', '/api/me/status', { status: 'away' }, pat.token);
  });
});

describe('2. callback numbers are validated, read back and confirmed', () => {
  const closeDonor = () => app.api('PATCH', '/api/queues/donor', { businessHours: { timezone: 'UTC', open: [] } });
  const openDonor = () => app.api('PATCH', '/api/queues/donor', { businessHours: null });

  it('premium-rate, foreign and impossible numbers are refused and asked again; a good one is read back digit by digit and confirmed', async () => {
    expect((await closeDonor()).status).toBe(200);
    try {
      const call = simulateCall(app, { from: dialablePhone(), to: HOTLINE });
      const closed = await call.press(await call.ring(), '1');
      const prompt = await call.press(closed, '2');
      expect(spoken(prompt)).toContain('Enter the phone number we should call you back on');
      const refused = async (twiml: XmlNode, digits: string) => {
        const t = await call.press(twiml, digits);
        expect(spoken(t), digits).toMatch(/^Sorry, we cannot call that number back\. Enter the phone number/);
        return t;
      };
      let t = await refused(prompt, '19005550199');
      t = await call.press(t, '4155550123');
      expect(spoken(t)).toBe(
        'We will call you back on 4 1 5, 5 5 5, 0 1 2 3. If that is right, press 1. To enter a different number, press 2.',
      );
      // 2: a different number.
      t = await call.press(t, '2');
      expect(spoken(t)).toContain('Enter the phone number');
      t = await call.press(t, '6135550123');
      expect(spoken(t)).toContain('6 1 3, 5 5 5, 0 1 2 3');
      expect(await convOfCall(call.sid)).toBeUndefined();
      const bye = await call.press(t, '1');
      expect(spoken(bye)).toContain('An agent will call you back');
      const c = await eventually(() => convOfCall(call.sid));
      expect(c.metadata).toMatchObject({ mode: 'callback', callbackNumber: '+16135550123' });

      // Other wrong shapes from the issue: an international prefix (not an allowed country), too short, zeros.
      const other = simulateCall(app, { from: dialablePhone(), to: HOTLINE });
      let o = await other.press(await other.press(await other.ring(), '1'), '2');
      o = await refused(o, '011442071838750');
      o = await refused(o, '12345678');
      const gaveUp = await other.press(o, '0000000000');
      expect(spoken(gaveUp)).toBe(
        'Sorry, we cannot call that number back. We could not take a number to call you back. Please call again later. Goodbye.',
      );
      expect(all(gaveUp, 'Hangup')).toHaveLength(1);
      expect(await convOfCall(other.sid)).toBeUndefined();
    } finally {
      await openDonor();
    }
  });

  it('an anonymous caller pressing # is told their number is withheld and asked for one', async () => {
    expect((await closeDonor()).status).toBe(200);
    try {
      const call = simulateCall(app, { from: 'anonymous', to: HOTLINE });
      const prompt = await call.press(await call.press(await call.ring(), '1'), '2');
      const t = await call.press(prompt, '');
      expect(spoken(t)).toMatch(/^We cannot see the number you are calling from\. Enter the phone number/);
      expect(first(t, 'Gather').attrs.action).toContain('/voice/callback?');
      expect(await convOfCall(call.sid)).toBeUndefined();
      const confirm = await call.press(t, '2125550142');
      await call.press(confirm, '1');
      expect((await eventually(() => convOfCall(call.sid))).metadata).toMatchObject({ callbackNumber: '+12125550142' });
    } finally {
      await openDonor();
    }
  });
});

describe('3. a caller whose request is closed from the desk is told so', () => {
  it('the next hold turn says why, in their language, before hanging up', async () => {
    const call = simulateCall(app, { from: dialablePhone(), to: HOTLINE });
    const queued = await call.press(await call.press(await call.ring(), '2'), '4');
    const c = await eventually(() => convOfCall(call.sid));
    const resolved = await app.api('POST', `/api/conversations/${c.id}/resolve`, { note: 'solved by email' });
    expect(resolved.status).toBe(200);
    const last = await call.follow(queued);
    expect(spoken(last)).toMatch(/^Nuestro equipo cerró su solicitud/);
    expect(first(last, 'Say').attrs.language).toBe('es-MX');
    expect(all(last, 'Hangup')).toHaveLength(1);
  });
});

describe('5. voicemail chosen from the hold menu', () => {
  const overflowed = async () => {
    const { call, queued } = await callInto('2');
    await db()
      .update(conversations)
      .set({ queuedAt: new Date(Date.now() - 3600_000) })
      .where(eq(conversations.threadKey, call.sid));
    const menu = await call.follow(queued);
    expect(spoken(menu)).toContain('To leave a voicemail, press 1');
    const record = await call.press(menu, '1');
    return { call, rec: first(record, 'Record') };
  };

  it('hanging up without recording anything is an abandoned call, not an empty voicemail', async () => {
    const { call, rec } = await overflowed();
    expect(rec).toBeDefined();
    // Nothing recorded: Twilio skips the action and the caller hangs up.
    await call.status('completed', { CallDuration: '700' });
    const c = await eventually(async () => {
      const row = await convOfCall(call.sid);
      return row.status === 'abandoned' ? row : undefined;
    });
    expect(c.abandonedAt).toBeInstanceOf(Date);
  });

  it('a recording that arrives after the hang-up is still a voicemail, waiting to be called back', async () => {
    const { call, rec } = await overflowed();
    await call.status('completed', { CallDuration: '720' });
    await eventually(async () => (await convOfCall(call.sid)).status === 'abandoned');
    const sid = recordingSid();
    await call.post(pathOf(rec.attrs.action), {
      RecordingSid: sid,
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/${sid}`,
      RecordingDuration: '9',
    });
    const c = await convOfCall(call.sid);
    expect(c).toMatchObject({ status: 'waiting', abandonedAt: null, metadata: { mode: 'voicemail' } });
    const msgs = await db().select().from(messages).where(eq(messages.conversationId, c.id));
    expect(msgs.map((m) => m.externalId)).toContain(sid);
  });
});
