import { Router, type Response } from 'express';
import { and, eq } from 'drizzle-orm';
import twilio from 'twilio';
import type VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';
import { ingestInbound } from '../../core/conversations/ingest-inbound.js';
import type { InboundMessage } from '../../core/conversations/types.js';
import { publishMessage } from '../../core/conversations/publish.js';
import type { Deps } from '../../core/ports.js';
import { findInbox, getQueue, listQueues } from '../../db/queries/queues.js';
import { conversations, inboxes, messages } from '../../db/schema.js';
import type { Flow } from '../../ivr/flow-schema.js';
import { DEFAULT_FLOW, type Flows } from '../../ivr/load-flows.js';
import {
  phrase,
  renderCallbackPrompt,
  renderFrom,
  renderRecord,
  renderStep,
  renderWait,
  say,
  type CallState,
  type Effect,
  type RenderContext,
} from '../../ivr/render.js';
import { maskPhone } from '../../logger.js';
import type { TwilioClient } from '../twilio/client.js';
import { twilioWebhook } from '../twilio/verify.js';
import { conferenceTwiml } from './bridge.js';
import { findCallConversation, loadConversation, metaOf, patchCall, waitInfoFor } from './calls.js';
import { handleCallStatus, resolveAnsweredElsewhere } from './lifecycle.js';
import { callbackNumber, ZCallWebhook, ZFlowState, ZRecording, ZStatusQuery, ZTranscription, type CallWebhook } from './parse-call.js';

const sendTwiml = (res: Response, twiml: VoiceResponse | string) => {
  res.type('text/xml').send(typeof twiml === 'string' ? twiml : twiml.toString());
};

const badRequest = (res: Response, what: string, message: string) => {
  res.status(400).type('text/plain').send(`bad Twilio ${what} webhook: ${message}`);
};

/**
 * Twilio's voice webhooks (contract: "Inbound channels"): the incoming call,
 * the flow's continuations (state in the query string) and status callbacks.
 * Every route checks the signature first. The adapter translates; the IVR
 * interpreter decides what the caller hears; the core decides routing.
 */
export function voiceRouter(deps: Deps, flows: Flows, client: TwilioClient | null): Router {
  const r = Router();
  const twilioIn = twilioWebhook(deps);
  const { db, log } = deps;

  const flowNamed = (name: string): { name: string; flow: Flow } => {
    const flow = flows.get(name);
    return flow ? { name, flow } : { name: DEFAULT_FLOW, flow: flows.get(DEFAULT_FLOW)! };
  };

  async function renderContext(): Promise<RenderContext> {
    const queues = await listQueues(db);
    return {
      publicUrl: deps.config.publicUrl,
      now: new Date(),
      queueHours: (key) => queues.find((q) => q.key === key)?.businessHours ?? null,
    };
  }

  /** Parses the form body and, for continuations, the flow state in the query. */
  function parseCall(res: Response, body: unknown): CallWebhook | null {
    const parsed = ZCallWebhook.safeParse(body);
    if (!parsed.success) {
      badRequest(res, 'voice', parsed.error.issues[0].message);
      return null;
    }
    return parsed.data;
  }

  /** Carries out what the interpreter asked for before Twilio gets the TwiML. */
  async function applyEffect(effect: Effect | undefined, call: CallWebhook, st: CallState, twiml: VoiceResponse): Promise<VoiceResponse> {
    if (!effect) return twiml;
    if (effect.type === 'overflow') {
      const c = await findCallConversation(db, call.CallSid);
      if (c && !metaOf(c).overflowedAt) await patchCall(db, c.id, { overflowedAt: new Date().toISOString() });
      return twiml;
    }
    const { node, nodeId } = effect;
    try {
      const result = await ingestInbound(
        deps,
        callMessage(call, {
          externalId: call.CallSid,
          queue: node.queue,
          priorityBoost: node.priority,
          body: `Call from the ${st.flow} line (${nodeId})`,
          metadata: {
            callSid: call.CallSid,
            direction: 'inbound',
            flow: st.flow,
            node: nodeId,
            lang: st.lang,
            mode: 'call',
            record: node.record,
          },
        }),
      );
      if (!result.duplicate)
        log.info({ conversationId: result.conversation?.id, queue: node.queue, from: maskPhone(call.From) }, 'call enqueued');
      return twiml;
    } catch (err) {
      log.error({ err, queue: node.queue, flow: st.flow }, 'could not enqueue the call');
      const sorry = new twilio.twiml.VoiceResponse();
      phrase(sorry, flowNamed(st.flow).flow, st.lang, 'sorry');
      sorry.hangup();
      return sorry;
    }
  }

  const callMessage = (call: CallWebhook, m: Omit<InboundMessage, 'channel' | 'from' | 'inboxAddress' | 'threadKey'>): InboundMessage => ({
    channel: 'voice',
    from: { kind: 'phone', value: call.From || 'anonymous' },
    inboxAddress: call.To,
    threadKey: call.CallSid,
    ...m,
  });

  // Incoming call: the flow of the called number (an inbox's `flow`), `main` otherwise.
  r.post('/webhooks/twilio/voice', ...twilioIn, async (req, res) => {
    const call = parseCall(res, req.body);
    if (!call) return;
    if (call.From.startsWith('client:')) {
      // The agent's softphone placing a call through the TwiML App.
      sendTwiml(res, await softphoneDial(call));
      return;
    }
    const inbox = call.To ? await findInbox(db, 'phone', call.To) : undefined;
    const { name, flow } = flowNamed(inbox?.flow ?? DEFAULT_FLOW);
    if (inbox?.flow && inbox.flow !== name) log.warn({ flow: inbox.flow }, 'inbox names an IVR flow that does not exist; using main');
    const st: CallState = { flow: name, lang: 'en' };
    const rendered = renderFrom(flow, st, flow.start, await renderContext());
    log.info({ flow: name, from: maskPhone(call.From) }, 'incoming call');
    sendTwiml(res, await applyEffect(rendered.effect, call, st, rendered.twiml));
  });

  // A gather or language choice answered (or timed out: Digits empty).
  r.post('/webhooks/twilio/voice/step', ...twilioIn, async (req, res) => {
    const call = parseCall(res, req.body);
    if (!call) return;
    const q = ZFlowState.safeParse(req.query);
    if (!q.success) return badRequest(res, 'voice step', q.error.issues[0].message);
    const { name, flow } = flowNamed(q.data.flow);
    const st: CallState = { flow: name, lang: q.data.lang };
    const out = renderStep(flow, st, q.data.node, q.data.try, { digits: call.Digits, speech: call.SpeechResult }, await renderContext());
    sendTwiml(res, await applyEffect(out.effect, call, { ...st, lang: out.lang }, out.twiml));
  });

  // The hold loop: position and estimated wait, hold audio, again; the overflow after the max wait.
  r.post('/webhooks/twilio/voice/wait', ...twilioIn, async (req, res) => {
    const call = parseCall(res, req.body);
    if (!call) return;
    const q = ZFlowState.safeParse(req.query);
    if (!q.success) return badRequest(res, 'voice wait', q.error.issues[0].message);
    const { name, flow } = flowNamed(q.data.flow);
    const st: CallState = { flow: name, lang: q.data.lang };
    const c = await findCallConversation(db, call.CallSid);
    const twiml = new twilio.twiml.VoiceResponse();
    if (c?.status === 'assigned') {
      // An agent took it: the bridge replaces this TwiML any moment now.
      twiml.pause({ length: 3 });
      twiml.redirect({ method: 'POST' }, deps.config.publicUrl + req.originalUrl);
      return sendTwiml(res, twiml);
    }
    if (!c || (c.status !== 'waiting' && c.status !== 'offered')) {
      twiml.hangup();
      return sendTwiml(res, twiml);
    }
    // Proof of life for the sweep that catches hang-ups whose status callback never came.
    await patchCall(db, c.id, { lastHeardAt: new Date().toISOString() });
    const node = flow.nodes[q.data.node];
    const queue = await getQueue(db, c.queueKey);
    const maxWaitSeconds = (node?.type === 'enqueue' ? node.maxWaitSeconds : undefined) ?? queue?.maxWaitSeconds ?? 600;
    const ctx = await renderContext();
    const info = await waitInfoFor(db, c);
    const waitedSeconds = Math.round((ctx.now.getTime() - c.queuedAt.getTime()) / 1000);
    const plain = { type: 'enqueue', queue: c.queueKey, priority: 0, refreshSeconds: 30, record: false } as const;
    const out = renderWait(flow, st, q.data.node, { ...info, waitedSeconds, maxWaitSeconds }, ctx, plain);
    sendTwiml(res, await applyEffect(out.effect, call, st, out.twiml));
  });

  // After the max wait: 1 = voicemail, 2 = callback, anything else = keep waiting.
  r.post('/webhooks/twilio/voice/overflow', ...twilioIn, async (req, res) => {
    const call = parseCall(res, req.body);
    if (!call) return;
    const q = ZFlowState.safeParse(req.query);
    if (!q.success) return badRequest(res, 'voice overflow', q.error.issues[0].message);
    const { name, flow } = flowNamed(q.data.flow);
    const st: CallState = { flow: name, lang: q.data.lang };
    const ctx = await renderContext();
    const twiml = new twilio.twiml.VoiceResponse();
    const c = await findCallConversation(db, call.CallSid);
    if (call.Digits === '1' && c) {
      // From now on the conversation is a voicemail to call back, whether or not they speak.
      await patchCall(db, c.id, { mode: 'voicemail' });
      phrase(twiml, flow, st.lang, 'leaveMessage');
      renderRecord(twiml, flow, st, q.data.node, ctx, { maxLength: 180, transcribe: true, mode: 'queue' });
    } else if (call.Digits === '2' && c) {
      renderCallbackPrompt(twiml, flow, st, q.data.node, ctx, undefined, 'queue');
    } else {
      twiml.redirect({ method: 'POST' }, ctx.publicUrl + req.originalUrl.replace('/overflow', '/wait'));
    }
    sendTwiml(res, twiml);
  });

  // A recorded voicemail (flow voicemail node, or a caller tired of waiting).
  r.post('/webhooks/twilio/voice/voicemail', ...twilioIn, async (req, res) => {
    const call = parseCall(res, req.body);
    if (!call) return;
    const q = ZFlowState.safeParse(req.query);
    if (!q.success) return badRequest(res, 'voicemail', q.error.issues[0].message);
    const { name, flow } = flowNamed(q.data.flow);
    const st: CallState = { flow: name, lang: q.data.lang };
    const twiml = new twilio.twiml.VoiceResponse();
    const rec = ZRecording.safeParse(req.body);
    if (!rec.success || rec.data.RecordingDuration < 1) {
      phrase(twiml, flow, st.lang, 'noMessage');
      twiml.hangup();
      return sendTwiml(res, twiml);
    }
    const node = flow.nodes[q.data.node];
    const queue = node?.type === 'voicemail' ? node.queue : undefined;
    const { RecordingSid, RecordingUrl, RecordingDuration } = rec.data;
    const result = await ingestInbound(
      deps,
      callMessage(call, {
        externalId: RecordingSid,
        queue,
        body: `Voicemail (${RecordingDuration} s)`,
        media: [{ url: `${RecordingUrl}.mp3`, contentType: 'audio/mpeg', name: `voicemail-${RecordingSid}.mp3` }],
        metadata: { kind: 'voicemail', recordingSid: RecordingSid, durationSeconds: RecordingDuration },
        conversationMetadata: { callSid: call.CallSid, direction: 'inbound', flow: name, lang: st.lang, mode: 'voicemail' },
      }),
    );
    if (!result.duplicate && result.conversation) {
      await patchCall(db, result.conversation.id, { mode: 'voicemail', callSid: call.CallSid });
      log.info({ conversationId: result.conversation.id, seconds: RecordingDuration }, 'voicemail stored');
    }
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
    const [recording] = await db
      .select()
      .from(messages)
      .where(and(eq(messages.channel, 'voice'), eq(messages.externalId, t.RecordingSid)));
    if (!recording || t.TranscriptionStatus !== 'completed') {
      res.status(204).end();
      return;
    }
    await attachMessage(recording.conversationId, {
      externalId: t.TranscriptionSid,
      body: t.TranscriptionText,
      metadata: { kind: 'transcription', recordingSid: t.RecordingSid },
    });
    res.status(204).end();
  });

  // A call recording is ready (calls recorded from the moment an agent answers).
  r.post('/webhooks/twilio/voice/recording', ...twilioIn, async (req, res) => {
    const parsed = ZRecording.safeParse(req.body);
    const conversationId = typeof req.query.conversationId === 'string' ? req.query.conversationId : undefined;
    if (!parsed.success) return badRequest(res, 'recording', parsed.error.issues[0].message);
    const rec = parsed.data;
    const c =
      conversationId && /^[0-9a-f-]{36}$/i.test(conversationId)
        ? await loadConversation(db, conversationId)
        : rec.CallSid
          ? await findCallConversation(db, rec.CallSid)
          : undefined;
    if (c && (rec.RecordingStatus ?? 'completed') === 'completed') {
      await attachMessage(c.id, {
        externalId: rec.RecordingSid,
        body: `Call recording (${rec.RecordingDuration} s)`,
        media: [{ url: `${rec.RecordingUrl}.mp3`, contentType: 'audio/mpeg', name: `call-${rec.RecordingSid}.mp3` }],
        metadata: { kind: 'recording', recordingSid: rec.RecordingSid, durationSeconds: rec.RecordingDuration },
      });
    }
    res.status(204).end();
  });

  // A callback request: the number keyed in (or the caller's own), then goodbye.
  r.post('/webhooks/twilio/voice/callback', ...twilioIn, async (req, res) => {
    const call = parseCall(res, req.body);
    if (!call) return;
    const q = ZFlowState.safeParse(req.query);
    if (!q.success) return badRequest(res, 'callback', q.error.issues[0].message);
    const { name, flow } = flowNamed(q.data.flow);
    const st: CallState = { flow: name, lang: q.data.lang };
    const node = flow.nodes[q.data.node];
    const number = callbackNumber(call.Digits, call.From);
    const result = await ingestInbound(
      deps,
      callMessage(call, {
        externalId: `${call.CallSid}:callback`,
        queue: node?.type === 'callback' ? node.queue : undefined,
        priorityBoost: node?.type === 'callback' ? node.priority : 0,
        body: `Callback requested to ${number}`,
        metadata: { kind: 'callback', callbackNumber: number },
        conversationMetadata: {
          callSid: call.CallSid,
          direction: 'inbound',
          flow: name,
          lang: st.lang,
          mode: 'callback',
          callbackNumber: number,
        },
      }),
    );
    if (!result.duplicate && result.conversation) {
      await patchCall(db, result.conversation.id, { mode: 'callback', callbackNumber: number, callSid: call.CallSid });
      log.info({ conversationId: result.conversation.id, number: maskPhone(number) }, 'callback requested');
    }
    const twiml = new twilio.twiml.VoiceResponse();
    if (node?.type === 'callback' && node.confirm) say(twiml, flow, st.lang, node.confirm);
    else phrase(twiml, flow, st.lang, 'callbackConfirm');
    twiml.hangup();
    sendTwiml(res, twiml);
  });

  // A dial-out finished: answered → done; otherwise the node's `next` (or goodbye).
  r.post('/webhooks/twilio/voice/dial-result', ...twilioIn, async (req, res) => {
    const call = parseCall(res, req.body);
    if (!call) return;
    const q = ZFlowState.safeParse(req.query);
    if (!q.success) return badRequest(res, 'dial result', q.error.issues[0].message);
    const { name, flow } = flowNamed(q.data.flow);
    const st: CallState = { flow: name, lang: q.data.lang };
    const status = formField(req.body, 'DialCallStatus');
    const twiml = new twilio.twiml.VoiceResponse();
    if (status === 'completed' || status === 'answered') {
      await resolveAnsweredElsewhere(deps, call.CallSid, 'answered by on-call');
      twiml.hangup();
      return sendTwiml(res, twiml);
    }
    const node = flow.nodes[q.data.node];
    if (node?.type === 'dial' && node.next) {
      const out = renderFrom(flow, st, node.next, await renderContext(), twiml);
      return sendTwiml(res, await applyEffect(out.effect, call, st, out.twiml));
    }
    twiml.hangup();
    sendTwiml(res, twiml);
  });

  // The contact answered an outbound call from the desk: into the conversation's conference.
  r.post('/webhooks/twilio/voice/connect', ...twilioIn, async (req, res) => {
    const id = typeof req.query.conversationId === 'string' ? req.query.conversationId : '';
    const c = /^[0-9a-f-]{36}$/i.test(id) ? await loadConversation(db, id) : undefined;
    if (!c) {
      const twiml = new twilio.twiml.VoiceResponse();
      twiml.hangup();
      return sendTwiml(res, twiml);
    }
    sendTwiml(res, conferenceTwiml(deps, flows, c, { greet: false }));
  });

  // Conference events: remember the ConferenceSid (hold and transfers address participants by it).
  r.post('/webhooks/twilio/voice/conference', ...twilioIn, async (req, res) => {
    const id = typeof req.query.conversationId === 'string' ? req.query.conversationId : '';
    const sid = formField(req.body, 'ConferenceSid');
    if (/^[0-9a-f-]{36}$/i.test(id) && /^CF[0-9a-fA-F]{32}$/.test(sid)) {
      const c = await loadConversation(db, id);
      if (c && metaOf(c).conferenceSid !== sid) await patchCall(db, c.id, { conferenceSid: sid });
    }
    res.status(204).end();
  });

  r.post('/webhooks/twilio/voice/status', ...twilioIn, async (req, res) => {
    const call = ZCallWebhook.safeParse(req.body);
    const q = ZStatusQuery.safeParse(req.query);
    if (!call.success) return badRequest(res, 'call status', call.error.issues[0].message);
    if (!q.success) return badRequest(res, 'call status', q.error.issues[0].message);
    if (!call.data.CallStatus) return badRequest(res, 'call status', 'CallStatus is required');
    const duration = Number((req.body as Record<string, unknown>).CallDuration ?? NaN);
    await handleCallStatus(deps, client, {
      leg: q.data.leg,
      conversationId: q.data.conversationId,
      agentId: q.data.agentId,
      callSid: call.data.CallSid,
      status: call.data.CallStatus,
      durationSeconds: Number.isFinite(duration) ? duration : undefined,
    });
    res.status(204).end();
  });

  async function attachMessage(
    conversationId: string,
    m: {
      externalId: string;
      body: string;
      media?: { url: string; contentType?: string; name?: string }[];
      metadata: Record<string, unknown>;
    },
  ) {
    const [row] = await db
      .insert(messages)
      .values({ conversationId, channel: 'voice', direction: 'inbound', status: 'received', media: m.media ?? [], ...m })
      .onConflictDoNothing()
      .returning();
    if (!row) return;
    const [c] = await db
      .update(conversations)
      .set({ lastMessageAt: row.createdAt })
      .where(eq(conversations.id, conversationId))
      .returning();
    if (c) publishMessage(deps, c, row);
  }

  /** `<Dial>` for a call the agent's softphone places (To = the number typed in the desk). */
  async function softphoneDial(call: CallWebhook): Promise<VoiceResponse> {
    const twiml = new twilio.twiml.VoiceResponse();
    const to = call.To;
    const hotline = formField(call, 'CallerId') || (await defaultHotline());
    if (!/^\+[1-9]\d{6,14}$/.test(to) || !hotline) {
      twiml.say('This call cannot be placed.');
      twiml.hangup();
      return twiml;
    }
    twiml.dial({ callerId: hotline }).number(to);
    return twiml;
  }

  async function defaultHotline(): Promise<string> {
    const all = await listPhoneInboxes(deps);
    return all[0] ?? '';
  }

  return r;
}

/** The hotline numbers (phone inboxes), oldest first: the first is the default caller ID. */
export async function listPhoneInboxes(deps: Pick<Deps, 'db'>): Promise<string[]> {
  const rows = await deps.db.select({ address: inboxes.address }).from(inboxes).where(eq(inboxes.kind, 'phone')).orderBy(inboxes.createdAt);
  return rows.map((r) => r.address);
}

/** A form field as text ('' when absent or not a string). */
function formField(body: unknown, name: string): string {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
}
