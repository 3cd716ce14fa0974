import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../src/core/agents/tokens.js';
import { metaOf } from '../src/core/calls/call-meta.js';
import { checkOutboundDestination } from '../src/core/calls/check-outbound-destination.js';
import { chooseOverflow } from '../src/core/calls/choose-overflow.js';
import { connectCallToAgent } from '../src/core/calls/connect-call-to-agent.js';
import { enqueueCall } from '../src/core/calls/enqueue-call.js';
import { handleCallStatus } from '../src/core/calls/handle-call-status.js';
import { placeOutboundCall } from '../src/core/calls/place-outbound-call.js';
import { planSoftphoneDial } from '../src/core/calls/plan-softphone-dial.js';
import { requestCallback } from '../src/core/calls/request-callback.js';
import { takeHoldTurn } from '../src/core/calls/take-hold-turn.js';
import { estimateWaitSeconds } from '../src/core/calls/wait-estimate.js';
import { AppError } from '../src/core/errors.js';
import { findOrCreateContact } from '../src/db/queries/contacts.js';
import { conversations } from '../src/db/schema.js';
import { HOTLINE, startTestApp, type TestApp } from './helpers/harness.js';
import { all, callSid, dialablePhone, first, parseXml, spoken } from './voice-helpers.js';

/**
 * The decisions `core/calls` makes, called directly on a real database; the
 * call control is the real Twilio adapter talking to the fake Twilio API, so
 * assertions are on what Twilio was asked to do.
 */
let app: TestApp;
/** A second hotline, mapped to the IT queue. */
const IT_LINE = '+15005550222';

beforeAll(async () => {
  app = await startTestApp('voice-core', { VOICE_RESERVATION_TIMEOUT_SECONDS: '30' });
  expect((await app.api('POST', '/api/inboxes', { kind: 'phone', address: HOTLINE, queue: 'donor' })).status).toBe(201);
  expect((await app.api('POST', '/api/inboxes', { kind: 'phone', address: IT_LINE, queue: 'it' })).status).toBe(201);
});
afterAll(async () => {
  await app?.stop();
});

const deps = () => app.sb.deps;
const conv = async (id: string) => (await deps().db.select().from(conversations).where(eq(conversations.id, id)))[0];
const restCalls = (pathEnd: string) => app.twilio.requests.filter((r) => r.method === 'POST' && r.path.endsWith(pathEnd));

/** An agent (not taking offers) and the actor the API would load for them. */
async function agentActor(name: string, opts: { capacity?: Record<string, number>; role?: 'agent' | 'supervisor' } = {}) {
  const a = await app.agent({ name, queues: ['it'], available: false, ...opts });
  return { ...a, actor: (await authenticate(deps().db, app.config, a.token)).actor };
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('placing a call from the desk', () => {
  it("a new number is called from the chosen hotline, in that hotline's queue", async () => {
    const ann = await agentActor('Ann');
    const phone = dialablePhone();
    const placed = await placeOutboundCall(deps(), ann.actor, { phone, from: IT_LINE });
    expect(placed.conversation).toMatchObject({ queueKey: 'it', inboxAddress: IT_LINE, status: 'assigned', assigneeId: ann.id });
    expect(restCalls('/Calls.json').at(-1)!.params).toMatchObject({ To: phone, From: IT_LINE });
    // Without `from`: the first hotline, and its queue.
    const other = await agentActor('Abe');
    const second = await placeOutboundCall(deps(), other.actor, { phone: dialablePhone() });
    expect(second.conversation).toMatchObject({ queueKey: 'donor', inboxAddress: HOTLINE });
  });

  it('counts the calls an agent is on against their voice capacity, and frees the slot when one ends', async () => {
    const bo = await agentActor('Bo', { capacity: { voice: 2 } });
    const first = await placeOutboundCall(deps(), bo.actor, { phone: dialablePhone() });
    await placeOutboundCall(deps(), bo.actor, { phone: dialablePhone() });
    const refused = await rejection(placeOutboundCall(deps(), bo.actor, { phone: dialablePhone() }));
    expect(refused.code).toBe('at_capacity');
    await handleCallStatus(deps(), { leg: 'outbound', conversationId: first.conversation.id, callSid: first.callSid, status: 'completed' });
    expect((await placeOutboundCall(deps(), bo.actor, { phone: dialablePhone() })).callSid).toMatch(/^CA/);
  });

  it('a number that cannot be dialled is refused before anything is dialled or stored', async () => {
    // A supervisor sees every contact: what stops the call is the number.
    const cy = await agentActor('Cy', { role: 'supervisor' });
    const { contactId } = await findOrCreateContact(deps().db, { kind: 'phone', value: 'anonymous' });
    const dialsBefore = restCalls('/Calls.json').length;
    const refused = await rejection(placeOutboundCall(deps(), cy.actor, { contactId }));
    expect(refused.code).toBe('conflict');
    expect(refused.message).toContain('not a phone number we can dial');
    expect(restCalls('/Calls.json')).toHaveLength(dialsBefore);
    expect(await deps().db.select().from(conversations).where(eq(conversations.contactId, contactId))).toHaveLength(0);
  });

  it('when Twilio will not place the call, the new conversation is closed as a failed call', async () => {
    const di = await agentActor('Di');
    const phone = dialablePhone();
    app.twilio.failNext(400, 21211, "The 'To' number is not a valid phone number.", 1, '/Calls.json');
    const refused = await rejection(placeOutboundCall(deps(), di.actor, { phone }));
    expect(refused.code).toBe('unavailable');
    expect(refused.message).toMatch(/^Twilio did not place the call: /);
    const [failed] = await deps()
      .db.select()
      .from(conversations)
      .where(and(eq(conversations.assigneeId, di.id), eq(conversations.channel, 'voice')));
    expect(failed).toMatchObject({ status: 'resolved', disposition: 'call failed' });
  });

  it("when the agent's softphone cannot be rung, the contact's call is canceled before they answer into an empty conference", async () => {
    const ed = await agentActor('Ed');
    app.twilio.failNext(400, 21218, 'Invalid client identity', 1, '/Participants.json');
    const refused = await rejection(placeOutboundCall(deps(), ed.actor, { phone: dialablePhone() }));
    expect(refused.message).toMatch(/^Twilio did not ring your softphone: /);
    const [c] = await deps()
      .db.select()
      .from(conversations)
      .where(and(eq(conversations.assigneeId, ed.id), eq(conversations.channel, 'voice')));
    const contactSid = metaOf(c).callSid!;
    expect(restCalls(`/Calls/${contactSid}.json`).at(-1)!.params.Status).toBe('canceled');
    expect(metaOf(c)).toMatchObject({ callStatus: 'canceled', endedAt: expect.any(String) });
  });
});

describe('call status', () => {
  it("an agent who never picks up their own outbound call: the contact's call is ended", async () => {
    const fay = await agentActor('Fay');
    const placed = await placeOutboundCall(deps(), fay.actor, { phone: dialablePhone() });
    const agentLeg = metaOf(placed.conversation).agentCallSid!;
    const status = { leg: 'agent', conversationId: placed.conversation.id, agentId: fay.id, callSid: agentLeg } as const;
    await handleCallStatus(deps(), { ...status, status: 'no-answer' });
    expect(restCalls(`/Calls/${placed.callSid}.json`).map((r) => r.params.Status)).toEqual(['completed']);
    expect(metaOf(await conv(placed.conversation.id)).agentCallSid).toBeNull();
    // A redelivery asks nothing more of Twilio.
    await handleCallStatus(deps(), { ...status, status: 'no-answer' });
    expect(restCalls(`/Calls/${placed.callSid}.json`)).toHaveLength(1);
  });
});

describe('connecting an accepted call', () => {
  it('a callback has no live call: nothing is dialled; the agent calls back', async () => {
    const gus = await agentActor('Gus');
    const from = dialablePhone();
    const asked = await requestCallback(deps(), {
      callSid: callSid(),
      from,
      to: HOTLINE,
      flow: 'main',
      lang: 'en',
      number: from,
      priorityBoost: 0,
    });
    expect(asked.number).toBe(from);
    const requestsBefore = app.twilio.requests.length;
    await connectCallToAgent(deps(), await conv(asked.conversationId!), gus.id);
    expect(app.twilio.requests).toHaveLength(requestsBefore);
  });
});

describe('recording consent', () => {
  it('a recorded call hears the notice, in its language, before the recording conference starts', async () => {
    const joe = await agentActor('Joe');
    const bridgeOf = async (lang: 'en' | 'es', record: boolean) => {
      const sid = callSid();
      const r = await enqueueCall(deps(), {
        callSid: sid,
        from: dialablePhone(),
        to: HOTLINE,
        flow: 'main',
        node: 'it',
        lang,
        queue: 'it',
        priorityBoost: 0,
        record,
      });
      if (r.duplicate || !r.conversation) throw new Error('not enqueued');
      await connectCallToAgent(deps(), r.conversation, joe.id);
      return parseXml(restCalls(`/Calls/${sid}.json`).at(-1)!.params.Twiml);
    };
    const es = await bridgeOf('es', true);
    const says = all(es, 'Say');
    expect(says[0].text).toBe('Esta llamada será grabada para fines de calidad y capacitación.');
    expect(says[0].attrs.language).toBe('es-MX');
    expect(first(es, 'Conference').attrs.record).toBe('record-from-start');
    // The notice comes before the <Dial> that starts the recording.
    expect(es.children.findIndex((n) => n.name === 'Say')).toBeLessThan(es.children.findIndex((n) => n.name === 'Dial'));
    expect(all(await bridgeOf('en', true), 'Say')[0].text).toBe('This call will be recorded for quality and training.');
    // A call that is not recorded hears no notice.
    expect(spoken(await bridgeOf('en', false))).toBe('Connecting you to an agent now.');
  });
});

describe('the hold loop', () => {
  const queued = async (priorityBoost: number) => {
    const sid = callSid();
    await enqueueCall(deps(), {
      callSid: sid,
      from: dialablePhone(),
      to: HOTLINE,
      flow: 'main',
      node: 'partner',
      lang: 'en',
      queue: 'partner',
      priorityBoost,
      record: false,
    });
    return sid;
  };

  it('a caller stands behind higher-priority and earlier callers; the max wait is the node’s, else the queue’s', async () => {
    // Nobody serves `partner` in this file: the callers keep waiting.
    const early = await queued(0);
    const urgent = await queued(5);
    const late = await queued(0);
    const now = new Date();
    const turn = async (sid: string, nodeMaxWaitSeconds?: number) => {
      const t = await takeHoldTurn(deps(), { callSid: sid, now, nodeMaxWaitSeconds });
      if (t.kind !== 'waiting') throw new Error(`expected a waiting caller, got ${t.kind}`);
      return t;
    };
    expect((await turn(urgent)).position).toBe(1);
    expect((await turn(early)).position).toBe(2);
    const lateTurn = await turn(late, 45);
    expect(lateTurn).toMatchObject({ position: 3, estimatedWaitSeconds: null, maxWaitSeconds: 45 });
    expect(metaOf(await conv(lateTurn.conversation.id)).lastHeardAt).toBe(now.toISOString());
    expect((await app.api('PATCH', '/api/queues/partner', { maxWaitSeconds: 120 })).status).toBe(200);
    expect((await turn(late)).maxWaitSeconds).toBe(120);
    expect(await takeHoldTurn(deps(), { callSid: callSid(), now })).toEqual({ kind: 'gone', closed: false });
  });

  it('choosing voicemail from the overflow turns the conversation into a voicemail at once', async () => {
    const sid = await queued(0);
    expect(await chooseOverflow(deps(), sid, 'voicemail')).toBe('voicemail');
    const [c] = await deps().db.select().from(conversations).where(eq(conversations.threadKey, sid));
    expect(metaOf(c).mode).toBe('voicemail');
    // A call we know nothing of can only keep waiting (its hold loop then hangs up).
    expect(await chooseOverflow(deps(), callSid(), 'callback')).toBe('keep-waiting');
  });

  it('estimates from how fast the queue answered lately; with no recent answers, no estimate', () => {
    const at = (...minutes: number[]) => minutes.map((m) => new Date(Date.UTC(2026, 0, 1, 10, m)));
    expect(estimateWaitSeconds(0, { answeredAt: [], averageWaitSeconds: null })).toBeNull();
    // Answers 2 minutes apart: the third in line waits about 6 minutes.
    expect(estimateWaitSeconds(2, { answeredAt: at(0, 2, 4), averageWaitSeconds: 30 })).toBe(360);
    // One answer gives no rate: the wait it had, per caller.
    expect(estimateWaitSeconds(1, { answeredAt: at(0), averageWaitSeconds: 90.4 })).toBe(181);
  });
});

describe('where calls may go', () => {
  it('the softphone dials out with the hotline it asked for, else the first; a caller ID that is not a hotline, or a number that cannot be dialled, is refused', async () => {
    const agentId = (await agentActor('Hal')).id;
    const to = dialablePhone();
    const plan = await planSoftphoneDial(deps(), { agentId, to, callSid: callSid() });
    expect(plan).toMatchObject({ dial: true, to, callerId: HOTLINE });
    expect(await planSoftphoneDial(deps(), { agentId, to, callerId: IT_LINE, callSid: callSid() })).toMatchObject({ callerId: IT_LINE });
    expect(await planSoftphoneDial(deps(), { agentId, to, callerId: '+14155550100', callSid: callSid() })).toEqual({
      dial: false,
      reason: 'the caller ID is not one of our hotline numbers',
    });
    expect(await planSoftphoneDial(deps(), { agentId, to: '5557654321', callSid: callSid() })).toMatchObject({ dial: false });
    expect(await planSoftphoneDial(deps(), { agentId, to: '+19005550199', callSid: callSid() })).toMatchObject({ dial: false });
  });

  it('a softphone call is a conversation assigned to the agent, in the hotline’s queue', async () => {
    const agentId = (await agentActor('Hap')).id;
    const sid = callSid();
    const plan = await planSoftphoneDial(deps(), { agentId, to: dialablePhone(), callerId: IT_LINE, callSid: sid });
    if (!plan.dial) throw new Error(plan.reason);
    expect(await conv(plan.conversationId)).toMatchObject({
      channel: 'voice',
      status: 'assigned',
      assigneeId: agentId,
      queueKey: 'it',
      inboxAddress: IT_LINE,
      threadKey: sid,
      metadata: { direction: 'outbound', callSid: sid, softphone: true },
    });
  });

  it('only real numbers of the allowed countries (US, CA by default), never premium-rate', async () => {
    const dial = (to: string) => checkOutboundDestination(deps(), { to, from: HOTLINE, agentId: 'any-agent' });
    expect(await dial('+14155550123')).toEqual({ ok: true, to: '+14155550123' });
    expect(await dial('+16135550123')).toEqual({ ok: true, to: '+16135550123' });
    for (const to of ['', 'anonymous', 'anonymous:CA123', '+0123456789', '14155550123', '+1555', '+15551234567', '+10000000000'])
      expect(await dial(to), to).toMatchObject({ ok: false, reason: 'not a phone number we can dial' });
    expect(await dial('+19005550199')).toEqual({ ok: false, reason: 'premium-rate numbers are never dialled' });
    expect(await dial('+442071838750')).toMatchObject({ ok: false, reason: expect.stringContaining('GB numbers are not allowed') });
    expect(await dial('+18095551234')).toMatchObject({ ok: false, reason: expect.stringContaining('DO numbers are not allowed') });
  });

  it('an agent cannot call (nor learn of) a contact of a queue they do not serve', async () => {
    const phone = dialablePhone();
    // The contact talked to the donor queue; this agent serves only IT.
    await enqueueCall(deps(), {
      callSid: callSid(),
      from: phone,
      to: HOTLINE,
      flow: 'main',
      node: 'donor',
      lang: 'en',
      queue: 'donor',
      priorityBoost: 0,
      record: false,
    });
    const [c] = await deps()
      .db.select()
      .from(conversations)
      .where(eq(conversations.inboxAddress, HOTLINE))
      .orderBy(desc(conversations.createdAt))
      .limit(1);
    const ivy = await agentActor('Ivy');
    const dialsBefore = restCalls('/Calls.json').length;
    for (const input of [{ phone }, { contactId: c.contactId }]) {
      const refused = await rejection(placeOutboundCall(deps(), ivy.actor, input));
      expect(refused.code, JSON.stringify(input)).toBe('forbidden');
    }
    expect(await planSoftphoneDial(deps(), { agentId: ivy.id, to: phone, callSid: callSid() })).toMatchObject({ dial: false });
    expect(restCalls('/Calls.json')).toHaveLength(dialsBefore);
  });
});
