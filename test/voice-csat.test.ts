import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callSurveyStep } from '../src/core/csat/survey-policy.js';
import { agents, conversations, csatSurveys } from '../src/db/schema.js';
import { eventually as eventuallyMaybe, HOTLINE, startTestApp, type AgentSocket, type TestApp } from './helpers/harness.js';
import { all, callSid, dialablePhone, first, pathOf, simulateCall, spoken } from './voice-helpers.js';

/** `eventually`, typed as never undefined (it only resolves with a value). */
const eventually = async <T>(fn: () => T | Promise<T>, opts?: { timeout?: number }) => (await eventuallyMaybe(fn, opts)) as NonNullable<T>;

let app: TestApp;
let dana: { id: string; token: string };
let danaSocket: AgentSocket;
let sue: { id: string; token: string };
let sueSocket: AgentSocket;

beforeAll(async () => {
  app = await startTestApp('voice-csat', { VOICE_RESERVATION_TIMEOUT_SECONDS: '30', WRAP_UP_SECONDS: '0' });
  expect((await app.api('POST', '/api/inboxes', { kind: 'phone', address: HOTLINE, queue: 'donor' })).status).toBe(201);
  // Donations (menu 1) survey their callers; volunteers (menu 2) do not.
  expect((await app.api('PATCH', '/api/queues/donor', { csatVoice: true })).status).toBe(200);
  dana = await app.agent({ name: 'Dana', queues: ['donor', 'volunteer'] });
  danaSocket = await app.socket(dana.token);
  sue = await app.agent({ name: 'Sue', role: 'supervisor', queues: ['donor', 'partner'], available: false });
  sueSocket = await app.socket(sue.token);
}, 60_000);
afterAll(async () => {
  await app?.stop();
});

const db = () => app.sb.deps.db;
const conv = async (id: string) => (await db().select().from(conversations).where(eq(conversations.id, id)))[0];
const surveyOf = async (id: string) => (await db().select().from(csatSurveys).where(eq(csatSurveys.conversationId, id)))[0];
const updatesOf = (sid: string) => app.twilio.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/Calls/${sid}.json`));

/**
 * A caller picks a language (1 English, 2 Spanish) and a menu key; Dana accepts and answers on her
 * softphone. Returns the call, its conversation and Dana's leg (to hang it up).
 */
async function talkToDana(opts: { language?: '1' | '2'; menuKey?: string; from?: string } = {}) {
  const from = opts.from ?? dialablePhone();
  const call = simulateCall(app, { from, to: HOTLINE });
  const menu = await call.press(await call.ring(), opts.language ?? '1');
  await call.press(menu, opts.menuKey ?? '1');
  const offer = await danaSocket.waitFor('reservation.created', (p) => p.channel === 'voice' && p.contact.address === from);
  expect((await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, dana.token)).status).toBe(200);
  const conversationId = offer.conversationId as string;
  const ring = await eventually(() =>
    app.twilio.requests.find(
      (r) => r.path.endsWith(`/Conferences/conv-${conversationId}/Participants.json`) && r.params.To === `client:${dana.id}`,
    ),
  );
  const legSid = callSid();
  const leg = (CallStatus: string) =>
    app.twilioPost(pathOf(ring.params.StatusCallback), {
      CallSid: legSid,
      AccountSid: app.config.twilio.accountSid!,
      From: HOTLINE,
      To: `client:${dana.id}`,
      CallStatus,
    });
  expect((await leg('in-progress')).status).toBe(204);
  await eventually(async () => ((await conv(conversationId)).metadata as any).bridgedAt);
  return { call, conversationId, leg, offer };
}

/** Dana hangs up, the caller stays: the REST update that moves the caller (to the survey, or a hang-up). */
async function danaHangsUp(t: Awaited<ReturnType<typeof talkToDana>>) {
  expect((await t.leg('completed')).status).toBe(204);
  return eventually(() => updatesOf(t.call.sid).at(-1));
}

/** Dana is done with the call and free for the next test's offer. */
async function wrapUp(conversationId: string) {
  const r = await app.api('POST', `/api/conversations/${conversationId}/resolve`, { note: 'done' }, dana.token);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  await eventually(async () => (await db().select().from(agents).where(eq(agents.id, dana.id)))[0].presence === 'available');
}

describe('post-call phone survey', () => {
  it('when Dana hangs up the caller hears "press 1 to 5"; a 2 is the score, once, and alerts supervisors', async () => {
    const t = await talkToDana();
    const moved = await danaHangsUp(t);
    // The caller is redirected (not hung up) to the survey, addressed by the conversation.
    expect(moved.params.Status).toBeUndefined();
    expect(moved.params).toMatchObject({
      Url: `https://switchboard.test/webhooks/twilio/voice/csat?conversationId=${t.conversationId}`,
      Method: 'POST',
    });
    const waiting = await surveyOf(t.conversationId);
    expect(waiting).toMatchObject({ channel: 'voice', agentId: dana.id, score: null, answeredAt: null });

    const ask = await t.call.post(pathOf(moved.params.Url));
    const g = first(ask, 'Gather');
    expect(g.attrs).toMatchObject({ numDigits: '1', input: 'dtmf', actionOnEmptyResult: 'true' });
    expect(pathOf(g.attrs.action)).toBe(`/webhooks/twilio/voice/csat-answer?conversationId=${t.conversationId}&try=0`);
    expect(spoken(ask)).toContain('Press 1 for very unsatisfied, up to 5 for very satisfied');
    expect(first(ask, 'Say').attrs).toMatchObject({ language: 'en-US', voice: 'Polly.Joanna' });

    const thanks = await t.call.press(ask, '2');
    expect(spoken(thanks)).toBe('Thank you for your feedback. Goodbye.');
    expect(all(thanks, 'Hangup')).toHaveLength(1);
    const answered = await surveyOf(t.conversationId);
    expect(answered).toMatchObject({ score: 2, channel: 'voice' });
    expect(answered.answeredAt).not.toBeNull();

    const low = await sueSocket.waitFor('csat.low', (p) => p.conversationId === t.conversationId);
    expect(low).toMatchObject({ queue: 'donor', agentId: dana.id, csat: { score: 2, channel: 'voice' } });
    await danaSocket.waitFor('csat.received', (p) => p.conversationId === t.conversationId);

    // Twilio retries the same webhook (same CallSid and Digits), and a second key comes in: thanked, counted once.
    expect(spoken(await t.call.press(ask, '2'))).toBe('Thank you for your feedback. Goodbye.');
    expect(spoken(await t.call.press(ask, '5'))).toBe('Thank you for your feedback. Goodbye.');
    expect(await surveyOf(t.conversationId)).toEqual(answered);
    await new Promise((r) => setTimeout(r, 300));
    expect(sueSocket.events.filter((e) => e.event === 'csat.low' && e.payload.conversationId === t.conversationId)).toHaveLength(1);
    expect(danaSocket.events.filter((e) => e.event === 'csat.received' && e.payload.conversationId === t.conversationId)).toHaveLength(1);

    // The caller hangs up after the survey: talk time ended when Dana left, not after the survey.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await t.call.status('completed', { CallDuration: '60' })).status).toBe(204);
    const ended = await eventually(async () => {
      const c = await conv(t.conversationId);
      return (c.metadata as any).endedAt ? c : undefined;
    });
    const meta = ended.metadata as any;
    expect(meta.surveyStartedAt).toBeTruthy();
    expect(meta.talkSeconds).toBe(Math.max(0, Math.round((Date.parse(meta.surveyStartedAt) - Date.parse(meta.answeredAt)) / 1000)));
    expect(Date.parse(meta.endedAt)).toBeGreaterThan(Date.parse(meta.surveyStartedAt) + 1000);
    // The conversation shows the phone score.
    const shown = await app.api('GET', `/api/conversations/${t.conversationId}`, undefined, dana.token);
    expect(shown.body.conversation.csat).toMatchObject({ score: 2, channel: 'voice' });
    await wrapUp(t.conversationId);
  });

  it('speaks Spanish to a caller who chose it; silence is asked once more, then a wrong key is a polite goodbye', async () => {
    const t = await talkToDana({ language: '2' });
    const moved = await danaHangsUp(t);
    const ask = await t.call.post(pathOf(moved.params.Url));
    expect(spoken(ask)).toContain('Marque del 1, muy insatisfecho, al 5, muy satisfecho.');
    expect(first(ask, 'Say').attrs).toMatchObject({ language: 'es-MX', voice: 'Polly.Lupe' });

    const again = await t.call.press(ask, '');
    expect(spoken(again)).toBe('Disculpe, no le entendimos. Marque un número del 1 al 5.');
    expect(pathOf(first(again, 'Gather').attrs.action)).toBe(`/webhooks/twilio/voice/csat-answer?conversationId=${t.conversationId}&try=1`);
    const bye = await t.call.press(again, '9');
    expect(spoken(bye)).toBe('Gracias por llamar. Adiós.');
    expect(all(bye, 'Hangup')).toHaveLength(1);
    expect(first(bye, 'Gather')).toBeUndefined();
    expect(await surveyOf(t.conversationId)).toMatchObject({ score: null, answeredAt: null });
    await t.call.status('completed');
    await wrapUp(t.conversationId);
  });

  it('a queue without csatVoice hangs the caller up as before, and nothing is surveyed', async () => {
    const t = await talkToDana({ menuKey: '2' });
    const moved = await danaHangsUp(t);
    expect(moved.params).toMatchObject({ Status: 'completed' });
    expect(moved.params.Url).toBeUndefined();
    expect(await surveyOf(t.conversationId)).toBeUndefined();
    await t.call.status('completed');
    await wrapUp(t.conversationId);
  });

  it('never surveys a risk-flagged call or a number that texted STOP', async () => {
    const flagged = await talkToDana();
    await db()
      .update(conversations)
      .set({ risk: { level: 'high', reasons: ['test'], categories: ['self-harm'] } as any })
      .where(eq(conversations.id, flagged.conversationId));
    expect((await danaHangsUp(flagged)).params).toMatchObject({ Status: 'completed' });
    expect(await surveyOf(flagged.conversationId)).toBeUndefined();
    await flagged.call.status('completed');
    await wrapUp(flagged.conversationId);

    const phone = dialablePhone();
    expect((await app.sms(phone, 'STOP')).status).toBe(200);
    const optedOut = await talkToDana({ from: phone });
    expect((await danaHangsUp(optedOut)).params).toMatchObject({ Status: 'completed' });
    expect(await surveyOf(optedOut.conversationId)).toBeUndefined();
    await optedOut.call.status('completed');
    await wrapUp(optedOut.conversationId);
  });

  it('a caller who hung up as Dana did is not surveyed (Twilio refuses the redirect), and counts no survey', async () => {
    const t = await talkToDana();
    app.twilio.setCallStatus(t.call.sid, 'completed');
    expect((await t.leg('completed')).status).toBe(204);
    await eventually(() => updatesOf(t.call.sid).find((r) => r.params.Url));
    await eventually(async () => ((await surveyOf(t.conversationId)) === undefined ? true : undefined));
    await t.call.status('completed');
    await wrapUp(t.conversationId);
  });

  it('a survey URL answered from another call, or with a forged signature, records nothing', async () => {
    const t = await talkToDana();
    const moved = await danaHangsUp(t);
    const stranger = simulateCall(app, { from: dialablePhone(), to: HOTLINE });
    const bye = await stranger.post(`/webhooks/twilio/voice/csat-answer?conversationId=${t.conversationId}&try=0`, { Digits: '1' });
    expect(spoken(bye)).toBe('Thank you for calling. Goodbye.');
    const forged = await app.twilioPost(
      `/webhooks/twilio/voice/csat-answer?conversationId=${t.conversationId}`,
      {
        CallSid: t.call.sid,
        AccountSid: app.config.twilio.accountSid!,
        From: '+15550000000',
        To: HOTLINE,
        CallStatus: 'in-progress',
        Digits: '1',
      },
      { signature: 'forged' },
    );
    expect(forged.status).toBe(403);
    const bad = await t.call.status('in-progress', { Digits: '1' }, '/webhooks/twilio/voice/csat-answer?conversationId=not-a-uuid');
    expect(bad.status).toBe(400);
    expect(await surveyOf(t.conversationId)).toMatchObject({ score: null });
    // The real caller still can.
    const thanks = await t.call.press(await t.call.post(pathOf(moved.params.Url)), '5');
    expect(spoken(thanks)).toBe('Thank you for your feedback. Goodbye.');
    expect(await surveyOf(t.conversationId)).toMatchObject({ score: 5 });
    await t.call.status('completed');
    await wrapUp(t.conversationId);
    const counted = (await db().execute(
      sql`select count(*)::int as n from csat_surveys where channel = 'voice' and score is not null`,
    )) as unknown as {
      n: number;
    }[];
    expect(counted[0].n).toBe(2);
  });
});

describe('the keypad answer', () => {
  it('1–5 is the score; anything else or silence is asked once more, then goodbye', () => {
    expect(callSurveyStep('4', 0)).toEqual({ kind: 'score', score: 4 });
    expect(callSurveyStep('1', 1)).toEqual({ kind: 'score', score: 1 });
    expect(callSurveyStep('', 0)).toEqual({ kind: 'ask-again', tries: 1 });
    expect(callSurveyStep('0', 0)).toEqual({ kind: 'ask-again', tries: 1 });
    expect(callSurveyStep('*', 1)).toEqual({ kind: 'goodbye' });
    expect(callSurveyStep(undefined, 1)).toEqual({ kind: 'goodbye' });
    expect(callSurveyStep('6', 0)).toEqual({ kind: 'ask-again', tries: 1 });
  });
});
