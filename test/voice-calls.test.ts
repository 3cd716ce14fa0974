import { eq, sql } from 'drizzle-orm';
import { sweepStaleCalls } from '../src/core/calls/sweep-stale-calls.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agents, conversations, inboundEvents, messages, reservations } from '../src/db/schema.js';
import { eventually as eventuallyMaybe, HOTLINE, startTestApp, type TestApp } from './helpers/harness.js';
import { all, callSid, dialablePhone, first, parseXml, pathOf, recordingSid, simulateCall, spoken } from './voice-helpers.js';

/** `eventually`, typed as never undefined (it only resolves with a value). */
const eventually = async <T>(fn: () => T | Promise<T>, opts?: { timeout?: number }) => (await eventuallyMaybe(fn, opts)) as NonNullable<T>;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('voice-calls', {
    TWILIO_API_KEY: 'SK' + 'a'.repeat(32),
    TWILIO_API_SECRET: 'api-secret-0123456789',
    TWILIO_TWIML_APP_SID: 'AP' + 'b'.repeat(32),
    VOICE_RESERVATION_TIMEOUT_SECONDS: '30',
    WRAP_UP_SECONDS: '30',
  });
  // The hotline is an inbox with no flow of its own: it uses `main`.
  const inbox = await app.api('POST', '/api/inboxes', { kind: 'phone', address: HOTLINE, queue: 'donor' });
  expect(inbox.status).toBe(201);
});
afterAll(async () => {
  await app?.stop();
});

const conv = async (id: string) => (await app.sb.deps.db.select().from(conversations).where(eq(conversations.id, id)))[0];
const convOfCall = async (sid: string) => (await app.sb.deps.db.select().from(conversations).where(eq(conversations.threadKey, sid)))[0];
const presenceOf = async (id: string) => (await app.sb.deps.db.select().from(agents).where(eq(agents.id, id)))[0].presence;
const restCalls = (path: string) => app.twilio.requests.filter((r) => r.method === 'POST' && r.path.endsWith(path));

/** Caller picks English, then a menu key: answers with the enqueue TwiML. */
async function callInto(menuKey: string, from = dialablePhone(), to = HOTLINE) {
  const call = simulateCall(app, { from, to });
  const language = await call.ring();
  const menu = await call.press(language, '1');
  const queued = await call.press(menu, menuKey);
  return { call, from, queued };
}

/** The agent's softphone leg, as Twilio reports it to the StatusCallback we gave the participant. */
async function agentLeg(conversationId: string, agentId: string) {
  const req = await eventually(() =>
    app.twilio.requests.find(
      (r) => r.path.endsWith(`/Conferences/conv-${conversationId}/Participants.json`) && r.params.To === `client:${agentId}`,
    ),
  );
  const sid = callSid();
  return {
    req,
    status: (CallStatus: string) =>
      app.twilioPost(pathOf(req.params.StatusCallback), {
        CallSid: sid,
        AccountSid: app.config.twilio.accountSid!,
        From: HOTLINE,
        To: `client:${agentId}`,
        CallStatus,
      }),
    sid,
  };
}

describe('a call from incoming to hang-up', () => {
  it('a donor picks English and donations, hears their place in line, and is bridged to the agent who accepts', async () => {
    const dana = await app.agent({ name: 'Dana', queues: ['donor'] });
    const sock = await app.socket(dana.token);
    const call = simulateCall(app, { from: dialablePhone(), to: HOTLINE });

    const language = await call.ring();
    expect(spoken(language)).toContain('For English, press 1');
    const menu = await call.press(language, '1');
    expect(spoken(menu)).toContain('For donations and our store, press 1');
    expect(first(menu, 'Gather').attrs.action).toBe(
      'https://switchboard.test/webhooks/twilio/voice/step?flow=main&node=menu&lang=en&chose=1&try=0',
    );

    const queued = await call.press(menu, '1');
    expect(spoken(queued)).toContain('donor and store team');
    expect(first(queued, 'Redirect').text).toBe('https://switchboard.test/webhooks/twilio/voice/wait?flow=main&node=donor&lang=en&chose=1');

    const offer = await sock.waitFor('reservation.created', (p) => p.channel === 'voice');
    expect(offer).toMatchObject({ channel: 'voice', queue: 'donor' });
    const c0 = await conv(offer.conversationId);
    expect(c0).toMatchObject({ channel: 'voice', threadKey: call.sid, inboxAddress: HOTLINE, queueKey: 'donor' });
    expect(c0.metadata).toMatchObject({ callSid: call.sid, flow: 'main', node: 'donor', lang: 'en', mode: 'call' });

    // While the offer rings on the desk, the caller holds: position, estimate, music, again.
    const hold = await call.follow(queued);
    expect(spoken(hold)).toMatch(/^You are caller number 1 in line\.( The estimated wait is (about|less than) [^.]*\.)?$/);
    expect(first(hold, 'Play').text).toMatch(/\.mp3$/);
    expect(first(hold, 'Redirect').text).toContain('/voice/wait?flow=main&node=donor');

    const accepted = await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, dana.token);
    expect(accepted.status).toBe(200);

    // The live call moves into a conference named after the conversation…
    const update = await eventually(() => restCalls(`/Calls/${call.sid}.json`)[0]);
    const bridge = parseXml(update.params.Twiml);
    const conference = first(bridge, 'Conference');
    expect(conference.text).toBe(`conv-${offer.conversationId}`);
    expect(conference.attrs).toMatchObject({ endConferenceOnExit: 'true', startConferenceOnEnter: 'false' });
    expect(spoken(bridge)).toBe('Connecting you to an agent now.');
    // …and the agent's softphone is rung into it, with the hotline as caller ID.
    const leg = await agentLeg(offer.conversationId, dana.id);
    expect(leg.req.params).toMatchObject({ From: HOTLINE, To: `client:${dana.id}` });
    expect(leg.req.accountSid).toBe(app.config.twilio.accountSid);

    // A wait redirect racing the bridge just pauses.
    const racing = await call.follow(hold);
    expect(all(racing, 'Pause')).toHaveLength(1);

    expect((await leg.status('ringing')).status).toBe(204);
    expect((await leg.status('in-progress')).status).toBe(204);
    await eventually(async () => (await presenceOf(dana.id)) === 'busy');
    expect((await conv(offer.conversationId)).metadata).toMatchObject({ bridgedAgentId: dana.id, agentCallSid: leg.sid });

    // Hold and resume through the conference participant of the caller.
    const held = await app.api('POST', `/api/voice/calls/${offer.conversationId}/hold`, undefined, dana.token);
    expect(held.status).toBe(200);
    const holdReq = restCalls(`/Participants/${call.sid}.json`).at(-1)!;
    expect(holdReq.path).toContain(`/Conferences/conv-${offer.conversationId}/`);
    expect(holdReq.params.Hold).toBe('true');
    // Once Twilio tells us the ConferenceSid, participants are addressed by it.
    const cf = 'CF' + 'c'.repeat(32);
    expect(
      (
        await app.twilioPost(`/webhooks/twilio/voice/conference?conversationId=${offer.conversationId}`, {
          ConferenceSid: cf,
          StatusCallbackEvent: 'conference-start',
        })
      ).status,
    ).toBe(204);
    await app.api('POST', `/api/voice/calls/${offer.conversationId}/unhold`, undefined, dana.token);
    const unhold = restCalls(`/Participants/${call.sid}.json`).at(-1)!;
    expect(unhold.path).toContain(`/Conferences/${cf}/`);
    expect(unhold.params.Hold).toBe('false');

    // The caller hangs up: duration and talk time are stored; the agent wraps up.
    expect((await call.status('completed', { CallDuration: '95' })).status).toBe(204);
    const ended = await eventually(async () => {
      const c = await conv(offer.conversationId);
      return (c.metadata as any).endedAt ? c : undefined;
    });
    expect(ended.status).toBe('assigned');
    expect(ended.metadata).toMatchObject({ callStatus: 'completed', callDurationSeconds: 95 });
    expect((ended.metadata as any).talkSeconds).toBeGreaterThanOrEqual(0);
    await eventually(async () => (await presenceOf(dana.id)) === 'wrap-up');
    // A redelivered callback changes nothing and answers the same.
    expect((await call.status('completed', { CallDuration: '95' })).status).toBe(204);
    expect((await conv(offer.conversationId)).metadata).toEqual(ended.metadata);
    // Hold on a finished call is refused.
    expect((await app.api('POST', `/api/voice/calls/${offer.conversationId}/hold`, undefined, dana.token)).status).toBe(409);
    await app.api('PUT', '/api/me/status', { status: 'away' }, dana.token);
  });

  it('the caller hangs up while the offer is live: the offer is canceled and the call abandoned', async () => {
    const pat = await app.agent({ name: 'Pat', queues: ['partner'] });
    const sock = await app.socket(pat.token);
    const { call } = await callInto('3');
    const offer = await sock.waitFor('reservation.created', (p) => p.channel === 'voice' && p.queue === 'partner');
    await new Promise((r) => setTimeout(r, 1100));

    expect((await call.status('completed', { CallDuration: '12' })).status).toBe(204);
    const canceled = await sock.waitFor('reservation.canceled', (p) => p.reservationId === offer.reservationId);
    expect(canceled.reason).toBe('caller hung up');
    const c = await conv(offer.conversationId);
    expect(c.status).toBe('abandoned');
    expect(c.abandonedAt).toBeInstanceOf(Date);
    expect((c.metadata as any).waitSeconds).toBeGreaterThanOrEqual(1);
    const [r] = await app.sb.deps.db.select().from(reservations).where(eq(reservations.id, offer.reservationId));
    expect(r).toMatchObject({ status: 'canceled', reason: 'caller hung up' });

    // Redelivery: nothing new happens.
    await call.status('completed', { CallDuration: '12' });
    await new Promise((r) => setTimeout(r, 300));
    expect(sock.events.filter((e) => e.event === 'reservation.canceled' && e.payload.reservationId === offer.reservationId)).toHaveLength(
      1,
    );
    // Accepting the withdrawn offer fails.
    expect((await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, pat.token)).status).toBe(409);
    await app.api('PUT', '/api/me/status', { status: 'away' }, pat.token);
  });

  it('an agent who accepts but never answers the softphone: the caller goes back on hold and the call is offered again', async () => {
    const ian = await app.agent({ name: 'Ian', queues: ['it'] });
    const joy = await app.agent({ name: 'Joy', queues: ['it'] });
    const socks = { [ian.id]: await app.socket(ian.token), [joy.id]: await app.socket(joy.token) };
    const { call } = await callInto('4');
    const first = await eventually(
      () =>
        Object.entries(socks).flatMap(([id, s]) =>
          s.events.filter((e) => e.event === 'reservation.created').map((e) => ({ id, offer: e.payload })),
        )[0],
    );
    const firstAgent = first.id === ian.id ? ian : joy;
    const other = first.id === ian.id ? joy : ian;
    expect((await app.api('POST', `/api/reservations/${first.offer.reservationId}/accept`, undefined, firstAgent.token)).status).toBe(200);
    const leg = await agentLeg(first.offer.conversationId, firstAgent.id);
    expect((await leg.status('no-answer')).status).toBe(204);

    // The caller is sent back to the hold loop of the queue node they came through…
    const back = await eventually(() => restCalls(`/Calls/${call.sid}.json`).find((r) => r.params.Url));
    expect(back.params.Url).toBe('https://switchboard.test/webhooks/twilio/voice/wait?flow=main&node=it&lang=en');
    // …and the other agent is offered the call (the one who missed it is skipped for a while).
    const second = await socks[other.id].waitFor('reservation.created', (p) => p.conversationId === first.offer.conversationId);
    const c = await conv(first.offer.conversationId);
    expect(c.status).toBe('offered');
    expect((c.metadata as any).agentNoAnswer).toBe(1);
    const [missed] = await app.sb.deps.db.select().from(reservations).where(eq(reservations.id, first.offer.reservationId));
    expect(missed).toMatchObject({ status: 'timeout', reason: 'agent did not answer the call' });
    expect((await app.api('POST', `/api/reservations/${second.reservationId}/accept`, undefined, other.token)).status).toBe(200);
    await agentLeg(first.offer.conversationId, other.id);
    await call.status('completed');
  });
});

describe('hang-up while the agent is being rung', () => {
  it('is an abandoned call, and the ringing softphone is canceled', async () => {
    const una = await app.agent({ name: 'Una', queues: ['partner'] });
    const sock = await app.socket(una.token);
    const { call } = await callInto('3');
    const offer = await sock.waitFor('reservation.created', (p) => p.channel === 'voice');
    await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, una.token);
    await agentLeg(offer.conversationId, una.id);
    const legSid = await eventually(async () => (await conv(offer.conversationId)).metadata.agentCallSid as string | undefined);
    await call.status('completed', { CallDuration: '20' });
    const c = await eventually(async () => {
      const row = await conv(offer.conversationId);
      return row.status === 'abandoned' ? row : undefined;
    });
    expect(c.metadata).toMatchObject({ callStatus: 'completed' });
    await eventually(() => restCalls(`/Calls/${legSid}.json`).find((r) => r.params.Status === 'canceled'));
    await app.api('PUT', '/api/me/status', { status: 'away' }, una.token);
  });
});

describe('when Twilio refuses', () => {
  it('a bridge Twilio rejects puts the caller back in the queue instead of stranding them', async () => {
    const wes = await app.agent({ name: 'Wes', queues: ['volunteer'] });
    const sock = await app.socket(wes.token);
    const { call } = await callInto('2');
    const offer = await sock.waitFor('reservation.created', (p) => p.channel === 'voice');
    app.twilio.failNext(400, 21220, 'Call is not in-progress. Cannot redirect.');
    expect((await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, wes.token)).status).toBe(200);
    await eventually(async () => (await conv(offer.conversationId)).status === 'waiting');
    const back = await eventually(() => restCalls(`/Calls/${call.sid}.json`).find((r) => r.params.Url));
    expect(back.params.Url).toContain('/voice/wait?flow=main&node=volunteer');
    expect(app.twilio.requests.filter((r) => r.path.endsWith(`/Conferences/conv-${offer.conversationId}/Participants.json`))).toHaveLength(
      0,
    );
    await call.status('completed');
    await eventually(async () => (await conv(offer.conversationId)).status === 'abandoned');
    await app.api('PUT', '/api/me/status', { status: 'away' }, wes.token);
  });
});

describe('bad input', () => {
  it('a forged or missing signature gets 403 and stores nothing', async () => {
    const before = await app.sb.deps.db.select().from(inboundEvents);
    const sid = callSid();
    const params = { CallSid: sid, From: dialablePhone(), To: HOTLINE, CallStatus: 'ringing' };
    expect((await app.twilioPost('/webhooks/twilio/voice', params, { signature: 'forged' })).status).toBe(403);
    expect((await app.twilioPost('/webhooks/twilio/voice', params, { signature: null })).status).toBe(403);
    // A continuation whose query was changed after signing (state lives in the URL, so it is signed too).
    const twilio = (await import('twilio')).default;
    const signedFor = twilio.getExpectedTwilioSignature(
      'test-auth-token-0123456789abcdef',
      'https://switchboard.test/webhooks/twilio/voice/step?flow=main&node=menu&lang=en&try=0',
      { ...params, Digits: '1' },
    );
    const tampered = await fetch(`${app.url}/webhooks/twilio/voice/step?flow=main&node=menu&lang=en&try=0&x=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signedFor },
      body: new URLSearchParams({ ...params, Digits: '1' }).toString(),
    });
    expect(tampered.status).toBe(403);
    expect(
      (await app.twilioPost('/webhooks/twilio/voice/status', { ...params, CallStatus: 'completed' }, { signature: 'nope' })).status,
    ).toBe(403);
    expect(await convOfCall(sid)).toBeUndefined();
    expect(await app.sb.deps.db.select().from(inboundEvents)).toHaveLength(before.length);
  });

  it('a malformed webhook is a 400 naming the field', async () => {
    const r = await app.twilioPost('/webhooks/twilio/voice', { CallSid: 'not-a-sid', From: '+15551230000', To: HOTLINE });
    expect(r.status).toBe(400);
    expect(r.text).toContain('CallSid must be a Twilio call sid');
  });

  it('a callback URL naming something that only looks like a conversation id is ignored, not a server error', async () => {
    const notAnId = '-'.repeat(36);
    const connect = await app.twilioPost(`/webhooks/twilio/voice/connect?conversationId=${notAnId}`, {
      CallSid: callSid(),
      To: dialablePhone(),
    });
    expect(connect.status).toBe(200);
    expect(all(parseXml(connect.text), 'Hangup')).toHaveLength(1);
    const conference = await app.twilioPost(`/webhooks/twilio/voice/conference?conversationId=${notAnId}`, {
      ConferenceSid: 'CF' + 'c'.repeat(32),
    });
    expect(conference.status).toBe(204);
  });

  it('a number no inbox knows gets the main flow', async () => {
    const call = simulateCall(app, { from: dialablePhone(), to: '+15005550999' });
    const t = await call.ring();
    expect(first(t, 'Gather').attrs.action).toContain('flow=main&node=language');
  });

  it('keys not in the menu are retried, then the caller falls back to the general queue', async () => {
    const call = simulateCall(app, { from: dialablePhone(), to: HOTLINE });
    const menu = await call.press(await call.ring(), '1');
    const retry1 = await call.press(menu, '7');
    expect(spoken(retry1)).toMatch(/^Sorry, that is not one of the options\. For donations/);
    const retry2 = await call.press(retry1, '#');
    expect(first(retry2, 'Gather').attrs.action).toContain('try=2');
    expect(await convOfCall(call.sid)).toBeUndefined();
    const fallback = await call.press(retry2, '0');
    expect(first(fallback, 'Redirect').text).toContain('node=donor');
    const c = await eventually(() => convOfCall(call.sid));
    expect(c.queueKey).toBe('donor');
    await call.status('completed');
    await eventually(async () => (await convOfCall(call.sid))?.status === 'abandoned');
  });
});

describe('crisis line, voicemail and callbacks', () => {
  it('the crisis number has no menu, the highest priority, and rings the on-call phones after the max wait', async () => {
    const inbox = await app.api('POST', '/api/inboxes', { kind: 'phone', address: '+15005550111', queue: 'crisis', flow: 'crisis' });
    expect(inbox.status).toBe(201);
    const call = simulateCall(app, { from: dialablePhone(), to: '+15005550111' });
    // Issue 21 (4): a 3-second language choice, each language in its own voice; silence is English.
    const choice = await call.ring();
    const says = all(choice, 'Say');
    expect(says.map((x) => [x.attrs.language, x.attrs.voice])).toEqual([
      ['en-US', 'Polly.Joanna'],
      ['es-MX', 'Polly.Lupe'],
    ]);
    expect(spoken(choice)).toBe('You have reached the crisis line. Para español, oprima 2.');
    const t = await call.press(choice, '');
    expect(all(t, 'Gather')).toHaveLength(0);
    expect(spoken(t)).toContain('a counselor will answer shortly');
    const c = await eventually(() => convOfCall(call.sid));
    expect(c).toMatchObject({ queueKey: 'crisis', priority: 200 });
    // Pretend the caller has waited past the flow's 60 s: the next hold turn dials out.
    await app.sb.deps.db
      .update(conversations)
      .set({ queuedAt: new Date(Date.now() - 61_000) })
      .where(eq(conversations.id, c.id));
    const over = await call.follow(t);
    const dial = first(over, 'Dial');
    expect(all(dial, 'Number').map((n) => n.text)).toEqual(['+15555550911', '+15555550912']);
    expect((await conv(c.id)).metadata).toHaveProperty('overflowedAt');
    // Nobody answers: the caller is asked for a voicemail, which joins the same conversation.
    const vm = await call.post(pathOf(dial.attrs.action), { DialCallStatus: 'no-answer' });
    const rec = first(vm, 'Record');
    const recSid = recordingSid();
    const thanks = await call.post(pathOf(rec.attrs.action), {
      RecordingSid: recSid,
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/${recSid}`,
      RecordingDuration: '14',
    });
    expect(all(thanks, 'Hangup')).toHaveLength(1);
    await call.status('completed', { CallDuration: '90' });
    const after = await conv(c.id);
    expect(after.status).toBe('waiting');
    expect(after.metadata).toMatchObject({ mode: 'voicemail' });
    const msgs = await app.sb.deps.db.select().from(messages).where(eq(messages.conversationId, c.id));
    expect(msgs.find((m) => m.externalId === recSid)?.media[0]).toMatchObject({
      url: expect.stringMatching(new RegExp(`${recSid}\\.mp3$`)),
      contentType: 'audio/mpeg',
    });
  });

  it('after hours a caller leaves a voicemail; its transcription is attached later', async () => {
    const closed = await app.api('PATCH', '/api/queues/donor', { businessHours: { timezone: 'UTC', open: [] } });
    expect(closed.status).toBe(200);
    try {
      const call = simulateCall(app, { from: dialablePhone(), to: HOTLINE });
      const menu = await call.press(await call.ring(), '2');
      expect(spoken(menu)).toMatch(/^Nuestra oficina está cerrada/);
      const prompt = await call.press(menu, '1');
      const rec = first(prompt, 'Record');
      expect(rec.attrs.action).toContain('/voice/voicemail?flow=main&node=voicemail&lang=es');
      const recSid = recordingSid();
      const recUrl = `https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/${recSid}`;
      const done = await call.post(pathOf(rec.attrs.action), { RecordingSid: recSid, RecordingUrl: recUrl, RecordingDuration: '21' });
      expect(spoken(done)).toMatch(/^Gracias/);
      // Redelivery of the Record action answers the same and stores nothing twice.
      await call.post(pathOf(rec.attrs.action), { RecordingSid: recSid, RecordingUrl: recUrl, RecordingDuration: '21' });
      await call.status('completed', { CallDuration: '40' });
      const c = await convOfCall(call.sid);
      expect(c).toMatchObject({ queueKey: 'donor', status: 'waiting' });
      expect(c.metadata).toMatchObject({ mode: 'voicemail' });
      const transcribed = await app.twilioPost(pathOf(rec.attrs.transcribeCallback), {
        TranscriptionSid: 'TR' + 'd'.repeat(32),
        TranscriptionText: 'Hola, llamo por mi recibo de donación',
        TranscriptionStatus: 'completed',
        RecordingSid: recSid,
        CallSid: call.sid,
      });
      expect(transcribed.status).toBe(204);
      const msgs = await app.sb.deps.db.select().from(messages).where(eq(messages.conversationId, c.id)).orderBy(messages.createdAt);
      expect(msgs.map((m) => m.body)).toEqual(['Voicemail (21 s)', 'Hola, llamo por mi recibo de donación']);
      expect(msgs[0].media).toEqual([{ url: `${recUrl}.mp3`, contentType: 'audio/mpeg', name: `voicemail-${recSid}.mp3` }]);
      expect(msgs[1].metadata).toMatchObject({ kind: 'transcription', recordingSid: recSid });
    } finally {
      await app.api('PATCH', '/api/queues/donor', { businessHours: null });
    }
  });

  it('a caller tired of waiting asks for a callback; the agent calls back from the desk with the hotline as caller ID', async () => {
    expect((await app.api('PATCH', '/api/queues/volunteer', { maxWaitSeconds: 1 })).status).toBe(200);
    const { call, from, queued } = await callInto('2');
    await new Promise((r) => setTimeout(r, 1200));
    const overflow = await call.follow(queued);
    expect(spoken(overflow)).toContain('To have an agent call you back, press 2');
    const prompt = await call.press(overflow, '2');
    expect(first(prompt, 'Gather').attrs.action).toContain('/voice/callback?flow=main&node=volunteer&lang=en&chose=1&mode=queue');
    const readBack = await call.press(prompt, '');
    expect(spoken(readBack)).toContain(`We will call you back on ${from.slice(2, 5).split('').join(' ')}, `);
    const bye = await call.press(readBack, '1');
    expect(spoken(bye)).toContain('call you back');
    await call.status('completed', { CallDuration: '75' });
    const c = await convOfCall(call.sid);
    expect(c.status).toBe('waiting');
    expect(c.metadata).toMatchObject({ mode: 'callback', callbackNumber: from });

    // An agent takes it; there is no live call to bridge. They call back.
    // Listening before becoming available: the waiting callback is offered at once.
    const vic = await app.agent({ name: 'Vic', queues: ['volunteer'], available: false });
    const sock = await app.socket(vic.token);
    expect((await app.api('PUT', '/api/me/status', { status: 'available' }, vic.token)).status).toBe(200);
    const offer = await sock.waitFor('reservation.created', (p) => p.conversationId === c.id);
    const bridgesBefore = restCalls(`/Calls/${call.sid}.json`).length;
    expect((await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, vic.token)).status).toBe(200);
    const placed = await app.api('POST', '/api/voice/calls', { conversationId: c.id }, vic.token);
    expect(placed.status).toBe(201);
    expect(placed.body.conversation.id).toBe(c.id);
    expect(restCalls(`/Calls/${call.sid}.json`)).toHaveLength(bridgesBefore);
    const out = restCalls('/Calls.json').at(-1)!;
    expect(out.params).toMatchObject({ To: from, From: HOTLINE });
    expect(out.params.Url).toBe(`https://switchboard.test/webhooks/twilio/voice/connect?conversationId=${c.id}`);
    const leg = await agentLeg(c.id, vic.id);
    expect(leg.req.params.From).toBe(HOTLINE);
    // The contact answers: into the conference.
    const contact = simulateCall(app, { from: HOTLINE, to: from, sid: placed.body.callSid });
    const joined = await contact.post(pathOf(out.params.Url));
    expect(first(joined, 'Conference').text).toBe(`conv-${c.id}`);
    // A second call while this one is live is refused (voice capacity 1).
    expect((await app.api('POST', '/api/voice/calls', { phone: dialablePhone() }, vic.token)).status).toBe(409);
    await leg.status('in-progress');
    await contact.status('completed', { CallDuration: '33' }, pathOf(out.params.StatusCallback));
    await eventually(async () => (await conv(c.id)).metadata.callDurationSeconds === 33);
  });
});

describe('transfers', () => {
  it('an agent transfers a live call to another agent, then to a queue', async () => {
    const kim = await app.agent({ name: 'Kim', queues: ['partner'] });
    const kimSock = await app.socket(kim.token);
    const { call } = await callInto('3');
    const offer = await kimSock.waitFor('reservation.created', (p) => p.channel === 'voice');
    await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, kim.token);
    const kimLeg = await agentLeg(offer.conversationId, kim.id);
    await kimLeg.status('in-progress');

    const lou = await app.agent({ name: 'Lou', queues: ['it'] });
    const louSock = await app.socket(lou.token);
    const t = await app.api('POST', `/api/voice/calls/${offer.conversationId}/transfer`, { agentId: lou.id }, kim.token);
    expect(t.status).toBe(200);
    // The caller waits on hold in the conference while Lou is offered the call.
    expect(restCalls(`/Participants/${call.sid}.json`).at(-1)!.params.Hold).toBe('true');
    const louOffer = await louSock.waitFor('reservation.created', (p) => p.conversationId === offer.conversationId);
    const updatesBefore = restCalls(`/Calls/${call.sid}.json`).length;
    await app.api('POST', `/api/reservations/${louOffer.reservationId}/accept`, undefined, lou.token);
    const louLeg = await agentLeg(offer.conversationId, lou.id);
    // Lou is rung into the same conference; the caller is not moved; Kim's leg is dropped.
    expect(restCalls(`/Calls/${call.sid}.json`)).toHaveLength(updatesBefore);
    await eventually(() => app.twilio.requests.find((r) => r.method === 'DELETE' && r.path.endsWith(`/Participants/${kimLeg.sid}.json`)));
    await louLeg.status('in-progress');
    await kimLeg.status('completed');
    // Kim leaving does not hang up on the caller.
    expect(restCalls(`/Calls/${call.sid}.json`).filter((r) => r.params.Status === 'completed')).toHaveLength(0);

    // Lou sends the caller to the crisis queue: back on the hold loop, routed again.
    const q = await app.api('POST', `/api/voice/calls/${offer.conversationId}/transfer`, { queue: 'crisis' }, lou.token);
    expect(q.status).toBe(200);
    expect(q.body.conversation).toMatchObject({ queue: 'crisis', status: 'waiting' });
    const moved = restCalls(`/Calls/${call.sid}.json`).at(-1)!;
    expect(moved.params.Url).toBe('https://switchboard.test/webhooks/twilio/voice/wait?flow=main&node=partner&lang=en');
    const hold = await call.post(pathOf(moved.params.Url));
    expect(spoken(hold)).toContain('You are caller number');
    await call.status('completed');
    await eventually(async () => (await conv(offer.conversationId)).status === 'abandoned');
  });
});

describe('recordings and softphone dialling', () => {
  it('a call recording is attached to its conversation once', async () => {
    const { call } = await callInto('4');
    const c = await eventually(() => convOfCall(call.sid));
    const recSid = recordingSid();
    const params = {
      AccountSid: app.config.twilio.accountSid!,
      CallSid: call.sid,
      RecordingSid: recSid,
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/${recSid}`,
      RecordingDuration: '64',
      RecordingStatus: 'completed',
    };
    expect((await app.twilioPost(`/webhooks/twilio/voice/recording?conversationId=${c.id}`, params)).status).toBe(204);
    expect((await app.twilioPost(`/webhooks/twilio/voice/recording?conversationId=${c.id}`, params)).status).toBe(204);
    const msgs = (await app.sb.deps.db.select().from(messages).where(eq(messages.conversationId, c.id))).filter(
      (m) => m.externalId === recSid,
    );
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatchObject({ body: 'Call recording (64 s)', metadata: { kind: 'recording', durationSeconds: 64 } });
    expect(msgs[0].media[0].url).toBe(`${params.RecordingUrl}.mp3`);
    await call.status('completed');
  });

  it("a call from the agent's softphone dials the number with the hotline as caller ID", async () => {
    const hal = await app.agent({ name: 'Hal', queues: ['it'], available: false });
    const to = dialablePhone();
    const call = simulateCall(app, { from: `client:${hal.id}`, to });
    const t = await call.ring();
    const dial = first(t, 'Dial');
    expect(dial.attrs.callerId).toBe(HOTLINE);
    expect(first(dial, 'Number').text).toBe(to);
    // The call is a conversation assigned to the agent; the end of the dial closes the call on it.
    const c = await eventually(() => convOfCall(call.sid));
    expect(c).toMatchObject({ status: 'assigned', assigneeId: hal.id, inboxAddress: HOTLINE, metadata: { direction: 'outbound' } });
    const ended = await call.post(pathOf(dial.attrs.action), { DialCallStatus: 'completed', DialCallDuration: '31' });
    expect(all(ended, 'Hangup')).toHaveLength(1);
    expect((await conv(c.id)).metadata).toMatchObject({ callStatus: 'completed', callDurationSeconds: 31, endedAt: expect.any(String) });
    for (const [to, callerId] of [
      ['not-a-number', HOTLINE],
      ['+19005550199', HOTLINE],
      ['+442071838750', HOTLINE],
      [dialablePhone(), '+14155550100'],
    ]) {
      const bad = await simulateCall(app, { from: `client:${hal.id}`, to }).post('/webhooks/twilio/voice', { CallerId: callerId });
      expect(all(bad, 'Dial'), `${to} from ${callerId}`).toHaveLength(0);
      expect(all(bad, 'Hangup')).toHaveLength(1);
    }
  });

  it('each anonymous caller is a contact of their own', async () => {
    const contacts = [];
    for (const from of ['anonymous', 'anonymous', 'Restricted']) {
      const call = simulateCall(app, { from, to: HOTLINE });
      await call.press(await call.press(await call.ring(), '1'), '4');
      contacts.push((await eventually(() => convOfCall(call.sid))).contactId);
      await call.status('completed');
    }
    expect(new Set(contacts).size).toBe(3);
  });
});

describe('softphone token and outbound calls', () => {
  it('GET /api/voice/token gives a short-lived VoiceGrant for the agent', async () => {
    const mo = await app.agent({ name: 'Mo', queues: ['donor'], available: false });
    expect((await app.api('GET', '/api/voice/token', undefined, null)).status).toBe(401);
    const r = await app.api('GET', '/api/voice/token', undefined, mo.token);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ identity: mo.id, expiresIn: 900 });
    const payload = JSON.parse(Buffer.from(r.body.token.split('.')[1], 'base64url').toString());
    expect(payload.grants).toEqual({
      identity: mo.id,
      voice: { incoming: { allow: true }, outgoing: { application_sid: 'AP' + 'b'.repeat(32) } },
    });
    expect(payload.exp - payload.iat).toBe(900);
    expect(payload.iss).toBe('SK' + 'a'.repeat(32));
  });

  it('an agent calls a phone number; bad input is refused', async () => {
    const ned = await app.agent({ name: 'Ned', queues: ['it'], available: false });
    expect((await app.api('POST', '/api/voice/calls', { phone: '12345' }, ned.token)).status).toBe(400);
    expect((await app.api('POST', '/api/voice/calls', {}, ned.token)).status).toBe(400);
    expect((await app.api('POST', '/api/voice/calls', { phone: '+14155551222', from: '+15550000000' }, ned.token)).status).toBe(400);
    // Premium-rate and other countries are refused before anything is dialled.
    const dials = restCalls('/Calls.json').length;
    for (const phone of ['+19005550199', '+442071838750', '+15551112222']) {
      const r = await app.api('POST', '/api/voice/calls', { phone }, ned.token);
      expect(r.status, phone).toBe(409);
    }
    expect(restCalls('/Calls.json')).toHaveLength(dials);
    // A number of a contact in a queue Ned does not serve: refused, and nothing about the contact is revealed.
    const donorCaller = dialablePhone();
    const { call: donorCall } = await callInto('1', donorCaller);
    await eventually(() => convOfCall(donorCall.sid));
    const hidden = await app.api('POST', '/api/voice/calls', { phone: donorCaller }, ned.token);
    expect(hidden.status).toBe(403);
    expect(JSON.stringify(hidden.body)).not.toContain((await convOfCall(donorCall.sid)).contactId);
    await donorCall.status('completed');
    const phone = dialablePhone();
    const r = await app.api('POST', '/api/voice/calls', { phone }, ned.token);
    expect(r.status).toBe(201);
    expect(r.body.conversation).toMatchObject({ channel: 'voice', status: 'assigned', assigneeId: ned.id, inboxAddress: HOTLINE });
    expect(restCalls('/Calls.json').at(-1)!.params).toMatchObject({ To: phone, From: HOTLINE });
    // The contact does not pick up: the agent's leg is released too.
    const c = await conv(r.body.conversation.id);
    const legSid = (c.metadata as any).agentCallSid as string;
    const status = restCalls('/Calls.json').at(-1)!.params.StatusCallback;
    await app.twilioPost(pathOf(status), { CallSid: r.body.callSid, From: HOTLINE, To: phone, CallStatus: 'no-answer' });
    await eventually(() => restCalls(`/Calls/${legSid}.json`).find((x) => x.params.Status === 'completed'));
    expect((await conv(c.id)).metadata).toMatchObject({ callStatus: 'no-answer' });
  });
});

describe('lost status callbacks', () => {
  it('a caller whose hang-up callback never came is found by the sweep and marked abandoned', async () => {
    const { call } = await callInto('3');
    const c = await eventually(() => convOfCall(call.sid));
    // Just heard from: not looked up.
    await call.follow(await call.post(`/webhooks/twilio/voice/wait?flow=main&node=partner&lang=en`));
    const fetches = () => app.twilio.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/Calls/${call.sid}.json`)).length;
    expect(await sweepStaleCalls(app.sb.deps)).toBe(0);
    expect(fetches()).toBe(0);
    // Silent for 11 minutes, and Twilio says the call is over.
    await app.sb.deps.db
      .update(conversations)
      .set({
        metadata: sql`${conversations.metadata} || ${JSON.stringify({ lastHeardAt: new Date(Date.now() - 11 * 60_000).toISOString() })}::jsonb`,
      })
      .where(eq(conversations.id, c.id));
    expect(await sweepStaleCalls(app.sb.deps)).toBe(0);
    app.twilio.setCallStatus(call.sid, 'completed');
    expect(await sweepStaleCalls(app.sb.deps)).toBe(1);
    expect(fetches()).toBe(2);
    const after = await conv(c.id);
    expect(after.status).toBe('abandoned');
    expect(after.metadata).toMatchObject({ callStatus: 'completed', callDurationSeconds: 42 });
    // The late callback, if it ever arrives, changes nothing.
    await call.status('completed', { CallDuration: '42' });
    expect((await conv(c.id)).metadata).toEqual(after.metadata);
  });
});
