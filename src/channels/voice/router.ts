import { Router, type Request, type RequestHandler, type Response } from 'express';
import twilio from 'twilio';
import type VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import { attachCallRecording } from '../../core/calls/attach-call-recording.js';
import { attachTranscription } from '../../core/calls/attach-transcription.js';
import { isFinalStatus } from '../../core/calls/call-meta.js';
import type { CallRef } from '../../core/calls/call-ref.js';
import { chooseOverflow } from '../../core/calls/choose-overflow.js';
import { enqueueCall } from '../../core/calls/enqueue-call.js';
import { findCall } from '../../core/calls/find-call.js';
import { handleCallStatus } from '../../core/calls/handle-call-status.js';
import { markCallOverflowed } from '../../core/calls/mark-call-overflowed.js';
import { recordMissedCall } from '../../core/calls/record-missed-call.js';
import { planSoftphoneDial } from '../../core/calls/plan-softphone-dial.js';
import { recordConference } from '../../core/calls/record-conference.js';
import { requestCallback } from '../../core/calls/request-callback.js';
import { CALLER_ID_WITHHELD, callbackNumber } from '../../core/calls/callback-number.js';
import { resolveAnsweredElsewhere } from '../../core/calls/resolve-answered-elsewhere.js';
import { storeVoicemail } from '../../core/calls/store-voicemail.js';
import { takeHoldTurn } from '../../core/calls/take-hold-turn.js';
import { answerCallSurvey, findCallSurvey } from '../../core/csat/call-survey.js';
import { renderCallSurveyAsk, renderCallSurveyStep } from '../../ivr/call-survey.js';
import { crisisCallContext } from '../../core/crisis/ivr-context.js';
import { openIncidentsFor } from '../../core/incidents/open-incidents.js';
import { UUID } from '../../core/patterns.js';
import type { Deps } from '../../core/ports.js';
import { isDatabaseUnavailable } from '../../db/client.js';
import { findInbox, listQueues } from '../../db/queries/queues.js';
import type { Flow, Text } from '../../ivr/flow-schema.js';
import { DEFAULT_FLOW, type Flows } from '../../ivr/load-flows.js';
import {
  flowQueues,
  phrase,
  CALLBACK_TRIES,
  renderAnnouncements,
  renderCallbackPrompt,
  renderCallbackReadback,
  renderFrom,
  renderRecord,
  renderStep,
  renderWait,
  say,
  stateParams,
  type CallState,
  type Effect,
  type RenderContext,
  voiceUrl,
} from '../../ivr/render.js';
import { maskPhone } from '../../logger.js';
import { journalled } from '../twilio/journalled.js';
import { twilioWebhook } from '../twilio/verify.js';
import { agentOfClient, conferenceTwiml } from './conference.js';
import {
  ZCallWebhook,
  ZFlowState,
  ZRecording,
  ZStatusQuery,
  ZSurveyQuery,
  ZTranscription,
  type CallWebhook,
  type FlowStateQuery,
} from './parse-call.js';

const sendTwiml = (res: Response, twiml: VoiceResponse | string) => {
  res.type('text/xml').send(typeof twiml === 'string' ? twiml : twiml.toString());
};

const badRequest = (res: Response, what: string, message: string) => {
  res.status(400).type('text/plain').send(`bad Twilio ${what} webhook: ${message}`);
};

/** Where a continuation stands in its flow: the query's state, the flow it names (main if unknown). */
type FlowStep = { query: FlowStateQuery; flow: Flow; st: CallState };

/** The call fields the opening middleware parsed (every call webhook). */
const callOf = (res: Response) => res.locals.call as CallWebhook;
/** The flow state the opening middleware parsed (flow continuations). */
const stepOf = (res: Response) => res.locals.step as FlowStep;

/** The call as the core names it: a withheld caller ID is `anonymous`. */
const refOf = (call: CallWebhook): CallRef => ({ callSid: call.CallSid, from: call.From || 'anonymous', to: call.To });

/** A form field as text ('' when absent or not a string). */
function formField(body: unknown, name: string): string {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
}

/**
 * Twilio's voice webhooks (contract: "Inbound channels"): the incoming call,
 * the flow's continuations (state in the query string) and status callbacks.
 * Every route checks the signature first. The adapter translates; the IVR
 * interpreter decides what the caller hears; `core/calls` decides what
 * happens to the call.
 */
export function voiceRouter(deps: Deps, flows: Flows): Router {
  const r = Router();
  const twilioIn = twilioWebhook(deps);
  const { db, log } = deps;

  const flowNamed = (name: string): { name: string; flow: Flow } => {
    const flow = flows.get(name);
    return flow ? { name, flow } : { name: DEFAULT_FLOW, flow: flows.get(DEFAULT_FLOW)! };
  };

  /**
   * The opening every call webhook shares: the form body and its signature,
   * then the call fields; for a flow continuation (`what` names it in errors)
   * also the flow state in the query. Bad input is a 400 naming the field.
   */
  function callWebhook(what?: string): RequestHandler[] {
    const parseCall: RequestHandler = (req, res, next) => {
      const call = ZCallWebhook.safeParse(req.body);
      if (!call.success) return badRequest(res, 'voice', call.error.issues[0].message);
      res.locals.call = call.data;
      if (what) {
        const q = ZFlowState.safeParse(req.query);
        if (!q.success) return badRequest(res, what, q.error.issues[0].message);
        const { name, flow } = flowNamed(q.data.flow);
        res.locals.step = {
          query: q.data,
          flow,
          st: { flow: name, lang: q.data.lang, langChosen: q.data.chose === '1' },
        } satisfies FlowStep;
      }
      next();
    };
    return [...twilioIn, parseCall];
  }

  async function renderContext(): Promise<RenderContext> {
    const queues = await listQueues(db);
    return {
      publicUrl: deps.config.publicUrl,
      now: new Date(),
      queueHours: (key) => queues.find((q) => q.key === key)?.businessHours ?? null,
      ...(await crisisCallContext(db, log)),
    };
  }

  /** Hands what the interpreter asked for to the core before Twilio gets the TwiML. */
  async function applyEffect(effect: Effect | undefined, call: CallWebhook, st: CallState, twiml: VoiceResponse): Promise<VoiceResponse> {
    if (!effect) return twiml;
    if (effect.type === 'overflow') {
      await markCallOverflowed(deps, call.CallSid);
      return twiml;
    }
    const { node, nodeId } = effect;
    try {
      const result = await enqueueCall(deps, {
        ...refOf(call),
        flow: st.flow,
        node: nodeId,
        lang: st.lang,
        langChosen: st.langChosen,
        queue: node.queue,
        priorityBoost: node.priority,
        record: node.record,
        heard: effect.heard,
      });
      if (!result.duplicate)
        log.info({ conversationId: result.conversation?.id, queue: node.queue, from: maskPhone(call.From) }, 'call enqueued');
      return twiml;
    } catch (err) {
      // Postgres away: let the journal keep the call (it becomes a missed call to ring back).
      if (isDatabaseUnavailable(err)) throw err;
      log.error({ err, queue: node.queue, flow: st.flow }, 'could not enqueue the call');
      const sorry = new twilio.twiml.VoiceResponse();
      phrase(sorry, flowNamed(st.flow).flow, st.lang, 'sorry');
      sorry.hangup();
      return sorry;
    }
  }

  // Incoming call: the flow of the called number (an inbox's `flow`), `main` otherwise.
  // Postgres away: the caller hears an apology, the call is journalled and becomes a missed call to ring back.
  const apologise = (_req: Request, res: Response) => {
    const twiml = new twilio.twiml.VoiceResponse();
    phrase(twiml, flows.get(DEFAULT_FLOW), 'en', 'sorry');
    twiml.hangup();
    sendTwiml(res, twiml);
  };
  r.post(
    '/webhooks/twilio/voice',
    ...callWebhook(),
    journalled(deps, { kind: JOURNAL_KINDS.call, answer: apologise }, async (req, res) => {
      const call = callOf(res);
      const agentId = agentOfClient(call.From);
      if (agentId !== null) {
        // The agent's softphone placing a call through the TwiML App.
        const plan = await planSoftphoneDial(deps, { agentId, to: call.To, callerId: formField(call, 'CallerId'), callSid: call.CallSid });
        const twiml = new twilio.twiml.VoiceResponse();
        if (plan.dial) {
          const action = voiceUrl(deps.config.publicUrl, 'softphone-ended', { conversationId: plan.conversationId });
          twiml.dial({ callerId: plan.callerId, action }).number(plan.to);
        } else {
          log.info({ agentId, reason: plan.reason }, 'softphone call refused');
          twiml.say('This call cannot be placed.');
          twiml.hangup();
        }
        return sendTwiml(res, twiml);
      }
      const inbox = call.To ? await findInbox(db, 'phone', call.To) : undefined;
      const { name, flow } = flowNamed(inbox?.flow ?? DEFAULT_FLOW);
      if (inbox?.flow && inbox.flow !== name) log.warn({ flow: inbox.flow }, 'inbox names an IVR flow that does not exist; using main');
      const st: CallState = { flow: name, lang: 'en' };
      // Open incidents first: callers hear what is going on before the menu.
      const notices = (await openIncidentsFor(db, flowQueues(flow))).map((i) => i.publicMessage);
      const rendered = renderFrom(flow, st, flow.start, await renderContext(), renderAnnouncements(flow, notices));
      log.info({ flow: name, from: maskPhone(call.From) }, 'incoming call');
      sendTwiml(res, await applyEffect(rendered.effect, call, st, rendered.twiml));
    }),
  );
  deps.journal?.register(JOURNAL_KINDS.call, async (e) => {
    const call = ZCallWebhook.safeParse(e.body);
    if (call.success && agentOfClient(call.data.From) === null)
      await recordMissedCall(deps, { ...refOf(call.data), receivedAt: e.receivedAt });
  });

  // A gather or language choice answered (or timed out: Digits empty).
  r.post('/webhooks/twilio/voice/step', ...callWebhook('voice step'), async (_req, res) => {
    const call = callOf(res);
    const { query, flow, st } = stepOf(res);
    const out = renderStep(flow, st, query.node, query.try, { digits: call.Digits, speech: call.SpeechResult }, await renderContext());
    sendTwiml(res, await applyEffect(out.effect, call, { ...st, lang: out.lang, langChosen: out.langChosen || st.langChosen }, out.twiml));
  });

  // The hold loop: position and estimated wait, hold audio, again; the overflow after the max wait.
  r.post('/webhooks/twilio/voice/wait', ...callWebhook('voice wait'), async (req, res) => {
    const call = callOf(res);
    const { query, flow, st } = stepOf(res);
    const node = flow.nodes[query.node];
    const ctx = await renderContext();
    const turn = await takeHoldTurn(deps, {
      callSid: call.CallSid,
      now: ctx.now,
      nodeMaxWaitSeconds: node?.type === 'enqueue' ? node.maxWaitSeconds : undefined,
    });
    const twiml = new twilio.twiml.VoiceResponse();
    if (turn.kind === 'bridging') {
      twiml.pause({ length: 3 });
      twiml.redirect({ method: 'POST' }, deps.config.publicUrl + req.originalUrl);
      return sendTwiml(res, twiml);
    }
    if (turn.kind === 'gone') {
      // Resolved from the desk while the caller held: they hear why before the line goes dead.
      if (turn.closed) phrase(twiml, flow, turn.lang ?? st.lang, 'closedWhileWaiting');
      twiml.hangup();
      return sendTwiml(res, twiml);
    }
    const { position, estimatedWaitSeconds, waitedSeconds, maxWaitSeconds } = turn;
    const plain = { type: 'enqueue', queue: turn.conversation.queueKey, priority: 0, refreshSeconds: 30, record: false } as const;
    const out = renderWait(flow, st, query.node, { position, estimatedWaitSeconds, waitedSeconds, maxWaitSeconds }, ctx, plain);
    sendTwiml(res, await applyEffect(out.effect, call, st, out.twiml));
  });

  // After the max wait: 1 = voicemail, 2 = callback, anything else = keep waiting.
  r.post('/webhooks/twilio/voice/overflow', ...callWebhook('voice overflow'), async (req, res) => {
    const call = callOf(res);
    const { query, flow, st } = stepOf(res);
    const ctx = await renderContext();
    const twiml = new twilio.twiml.VoiceResponse();
    const asked = call.Digits === '1' ? 'voicemail' : call.Digits === '2' ? 'callback' : 'keep-waiting';
    const chosen = await chooseOverflow(deps, call.CallSid, asked);
    if (chosen === 'voicemail') {
      phrase(twiml, flow, st.lang, 'leaveMessage');
      renderRecord(twiml, flow, st, query.node, ctx, { maxLength: 180, transcribe: true, mode: 'queue' });
    } else if (chosen === 'callback') {
      renderCallbackPrompt(twiml, flow, st, query.node, ctx, undefined, 'queue');
    } else {
      twiml.redirect({ method: 'POST' }, ctx.publicUrl + req.originalUrl.replace('/overflow', '/wait'));
    }
    sendTwiml(res, twiml);
  });

  // A recorded voicemail (flow voicemail node, or a caller tired of waiting).
  r.post('/webhooks/twilio/voice/voicemail', ...callWebhook('voicemail'), async (req, res) => {
    const call = callOf(res);
    const { query, flow, st } = stepOf(res);
    const twiml = new twilio.twiml.VoiceResponse();
    const rec = ZRecording.safeParse(req.body);
    if (!rec.success || rec.data.RecordingDuration < 1) {
      phrase(twiml, flow, st.lang, 'noMessage');
      twiml.hangup();
      return sendTwiml(res, twiml);
    }
    const node = flow.nodes[query.node];
    await storeVoicemail(deps, {
      ...refOf(call),
      flow: st.flow,
      lang: st.lang,
      langChosen: st.langChosen,
      queue: node?.type === 'voicemail' ? node.queue : undefined,
      recordingSid: rec.data.RecordingSid,
      mediaUrl: `${rec.data.RecordingUrl}.mp3`,
      durationSeconds: rec.data.RecordingDuration,
    });
    say(
      twiml,
      flow,
      st.lang,
      node?.type === 'voicemail' && node.thanks
        ? node.thanks
        : {
            en: 'Thank you. Your message has been saved and we will get back to you. Goodbye.',
            es: 'Gracias. Su mensaje fue guardado y nos comunicaremos con usted. Adiós.',
          },
    );
    twiml.hangup();
    sendTwiml(res, twiml);
  });

  // Voicemail transcription (arrives minutes later): attached to the voicemail's conversation.
  r.post('/webhooks/twilio/voice/transcription', ...twilioIn, async (req, res) => {
    const parsed = ZTranscription.safeParse(req.body);
    if (!parsed.success) return badRequest(res, 'transcription', parsed.error.issues[0].message);
    const t = parsed.data;
    await attachTranscription(deps, {
      transcriptionSid: t.TranscriptionSid,
      recordingSid: t.RecordingSid,
      text: t.TranscriptionText,
      completed: t.TranscriptionStatus === 'completed',
    });
    res.status(204).end();
  });

  // A call recording is ready (calls recorded from the moment an agent answers).
  r.post('/webhooks/twilio/voice/recording', ...twilioIn, async (req, res) => {
    const parsed = ZRecording.safeParse(req.body);
    const conversationId = typeof req.query.conversationId === 'string' ? req.query.conversationId : '';
    if (!parsed.success) return badRequest(res, 'recording', parsed.error.issues[0].message);
    const rec = parsed.data;
    await attachCallRecording(deps, {
      conversationId: UUID.test(conversationId) ? conversationId : undefined,
      callSid: rec.CallSid,
      recordingSid: rec.RecordingSid,
      mediaUrl: `${rec.RecordingUrl}.mp3`,
      durationSeconds: rec.RecordingDuration,
      completed: (rec.RecordingStatus ?? 'completed') === 'completed',
    });
    res.status(204).end();
  });

  // A callback number keyed in (# alone: the number they call from): read back for confirmation, or asked again.
  r.post('/webhooks/twilio/voice/callback', ...callWebhook('callback'), async (_req, res) => {
    const call = callOf(res);
    const { query, flow, st } = stepOf(res);
    const node = flow.nodes[query.node];
    const ctx = await renderContext();
    const twiml = new twilio.twiml.VoiceResponse();
    const checked = callbackNumber(deps.config, call.Digits, refOf(call).from);
    if (checked.ok) {
      renderCallbackReadback(twiml, flow, st, query.node, ctx, checked.e164, { mode: query.mode, tries: query.try });
      return sendTwiml(res, twiml);
    }
    log.info({ reason: checked.reason, tries: query.try + 1 }, 'callback number refused');
    if (checked.reason === CALLER_ID_WITHHELD) phrase(twiml, flow, st.lang, 'callbackWithheld');
    else phrase(twiml, flow, st.lang, 'callbackInvalid');
    askCallbackAgain(twiml, flow, st, query, ctx, node?.type === 'callback' ? node.prompt : undefined);
    sendTwiml(res, twiml);
  });

  // The caller heard their callback number read back: 1 = make the callback, 2 = key another one.
  r.post('/webhooks/twilio/voice/callback-confirm', ...callWebhook('callback confirm'), async (_req, res) => {
    const call = callOf(res);
    const { query, flow, st } = stepOf(res);
    const node = flow.nodes[query.node];
    const ctx = await renderContext();
    const twiml = new twilio.twiml.VoiceResponse();
    const prompt = node?.type === 'callback' ? node.prompt : undefined;
    if (!query.number || call.Digits === '2') {
      askCallbackAgain(twiml, flow, st, query, ctx, prompt);
      return sendTwiml(res, twiml);
    }
    if (call.Digits !== '1') {
      // Silence or another key: the number is read again (a few times), never assumed.
      if (query.try + 1 >= CALLBACK_TRIES) return sendTwiml(res, giveUpCallback(twiml, flow, st, query, ctx));
      renderCallbackReadback(twiml, flow, st, query.node, ctx, query.number, { mode: query.mode, tries: query.try + 1 });
      return sendTwiml(res, twiml);
    }
    const result = await requestCallback(deps, {
      ...refOf(call),
      flow: st.flow,
      lang: st.lang,
      langChosen: st.langChosen,
      number: query.number,
      queue: node?.type === 'callback' ? node.queue : undefined,
      priorityBoost: node?.type === 'callback' ? node.priority : 0,
    });
    if (!result.duplicate && result.conversationId) {
      log.info({ conversationId: result.conversationId, number: maskPhone(result.number) }, 'callback requested');
    }
    if (node?.type === 'callback' && node.confirm) say(twiml, flow, st.lang, node.confirm);
    else phrase(twiml, flow, st.lang, 'callbackConfirm');
    twiml.hangup();
    sendTwiml(res, twiml);
  });

  /** The callback number prompt once more, or, after CALLBACK_TRIES, give up. */
  function askCallbackAgain(twiml: VoiceResponse, flow: Flow, st: CallState, query: FlowStateQuery, ctx: RenderContext, prompt?: Text) {
    if (query.try + 1 >= CALLBACK_TRIES) return giveUpCallback(twiml, flow, st, query, ctx);
    renderCallbackPrompt(twiml, flow, st, query.node, ctx, prompt, query.mode, query.try + 1);
    return twiml;
  }

  /** No usable number: a waiting caller goes back to the hold loop; anyone else hears why, then goodbye. */
  function giveUpCallback(twiml: VoiceResponse, flow: Flow, st: CallState, query: FlowStateQuery, ctx: RenderContext) {
    if (query.mode === 'queue') {
      twiml.redirect({ method: 'POST' }, voiceUrl(ctx.publicUrl, 'wait', stateParams(st, query.node)));
      return twiml;
    }
    phrase(twiml, flow, st.lang, 'callbackGiveUp');
    twiml.hangup();
    return twiml;
  }

  // A dial-out finished: answered → done; otherwise the node's `next` (or goodbye).
  r.post('/webhooks/twilio/voice/dial-result', ...callWebhook('dial result'), async (req, res) => {
    const call = callOf(res);
    const { query, flow, st } = stepOf(res);
    const status = formField(req.body, 'DialCallStatus');
    const twiml = new twilio.twiml.VoiceResponse();
    if (status === 'completed' || status === 'answered') {
      await resolveAnsweredElsewhere(deps, call.CallSid, 'answered by on-call');
      twiml.hangup();
      return sendTwiml(res, twiml);
    }
    const node = flow.nodes[query.node];
    if (node?.type === 'dial' && node.next) {
      const out = renderFrom(flow, st, node.next, await renderContext(), twiml);
      return sendTwiml(res, await applyEffect(out.effect, call, st, out.twiml));
    }
    twiml.hangup();
    sendTwiml(res, twiml);
  });

  // A softphone's direct dial ended (answered and hung up, or never answered): its conversation records the end.
  r.post('/webhooks/twilio/voice/softphone-ended', ...twilioIn, async (req, res) => {
    const id = typeof req.query.conversationId === 'string' ? req.query.conversationId : '';
    const call = ZCallWebhook.safeParse(req.body);
    if (!call.success) return badRequest(res, 'softphone', call.error.issues[0].message);
    const dialStatus = formField(req.body, 'DialCallStatus');
    const duration = Number(formField(req.body, 'DialCallDuration') || NaN);
    if (UUID.test(id))
      await handleCallStatus(deps, {
        leg: 'caller',
        conversationId: id,
        callSid: call.data.CallSid,
        status: isFinalStatus(dialStatus) ? dialStatus : 'completed',
        durationSeconds: Number.isFinite(duration) ? duration : undefined,
      });
    const twiml = new twilio.twiml.VoiceResponse();
    twiml.hangup();
    sendTwiml(res, twiml);
  });

  // The contact answered an outbound call from the desk: into the conversation's conference.
  r.post('/webhooks/twilio/voice/connect', ...twilioIn, async (req, res) => {
    const id = typeof req.query.conversationId === 'string' ? req.query.conversationId : '';
    const c = UUID.test(id) ? await findCall(deps, { conversationId: id }) : undefined;
    if (!c) {
      const twiml = new twilio.twiml.VoiceResponse();
      twiml.hangup();
      return sendTwiml(res, twiml);
    }
    sendTwiml(res, conferenceTwiml(deps.config, flows, c, { greet: false }));
  });

  // The post-call survey: the agent left and core/calls moved the caller here (calls(sid).update).
  r.post('/webhooks/twilio/voice/csat', ...callWebhook(), async (req, res) => {
    const q = ZSurveyQuery.safeParse(req.query);
    if (!q.success) return badRequest(res, 'survey', q.error.issues[0].message);
    const found = await findCallSurvey(db, q.data.conversationId, callOf(res).CallSid);
    const lang = found?.language ?? 'en';
    const flow = found?.flow ? flows.get(found.flow) : undefined;
    if (found && !found.survey.answeredAt)
      return sendTwiml(res, renderCallSurveyAsk(deps.config.publicUrl, flow, lang, q.data.conversationId));
    sendTwiml(res, renderCallSurveyStep(deps.config.publicUrl, flow, lang, q.data.conversationId, { kind: 'goodbye' }));
  });

  // A key pressed at the survey (or silence): thanks, the question once more, or goodbye.
  r.post('/webhooks/twilio/voice/csat-answer', ...callWebhook(), async (req, res) => {
    const q = ZSurveyQuery.safeParse(req.query);
    if (!q.success) return badRequest(res, 'survey answer', q.error.issues[0].message);
    const call = callOf(res);
    const out = await answerCallSurvey(deps, {
      conversationId: q.data.conversationId,
      callSid: call.CallSid,
      digits: call.Digits ?? '',
      tries: q.data.try,
    });
    const flow = out.flow ? flows.get(out.flow) : undefined;
    sendTwiml(res, renderCallSurveyStep(deps.config.publicUrl, flow, out.language, q.data.conversationId, out.step));
  });

  // Conference events: remember the ConferenceSid (hold and transfers address participants by it).
  r.post('/webhooks/twilio/voice/conference', ...twilioIn, async (req, res) => {
    const id = typeof req.query.conversationId === 'string' ? req.query.conversationId : '';
    const sid = formField(req.body, 'ConferenceSid');
    if (UUID.test(id) && /^CF[0-9a-fA-F]{32}$/.test(sid)) await recordConference(deps, id, sid);
    res.status(204).end();
  });

  r.post(
    '/webhooks/twilio/voice/status',
    ...twilioIn,
    // A call that ended while Postgres was away is closed when it is back (journalled, replayed).
    journalled(deps, { kind: JOURNAL_KINDS.status, answer: (_req, res) => void res.status(204).end() }, async (req, res) => {
      const status = readCallStatus(req.body, req.query);
      if ('error' in status) return badRequest(res, 'call status', status.error);
      await handleCallStatus(deps, status);
      res.status(204).end();
    }),
  );
  deps.journal?.register(JOURNAL_KINDS.status, async (e) => {
    const status = readCallStatus(e.body, e.query);
    if (!('error' in status)) await handleCallStatus(deps, status);
  });

  return r;
}

const JOURNAL_KINDS = { call: 'twilio.voice-call', status: 'twilio.voice-status' } as const;

/** A call status callback's fields (form body and query), or what is wrong with them. */
function readCallStatus(body: unknown, query: unknown): Parameters<typeof handleCallStatus>[1] | { error: string } {
  const call = ZCallWebhook.safeParse(body);
  const q = ZStatusQuery.safeParse(query);
  if (!call.success) return { error: call.error.issues[0].message };
  if (!q.success) return { error: q.error.issues[0].message };
  if (!call.data.CallStatus) return { error: 'CallStatus is required' };
  const duration = Number((body as Record<string, unknown>).CallDuration ?? NaN);
  return {
    leg: q.data.leg,
    conversationId: q.data.conversationId,
    agentId: q.data.agentId,
    callSid: call.data.CallSid,
    status: call.data.CallStatus,
    durationSeconds: Number.isFinite(duration) ? duration : undefined,
  };
}
