import twilio from 'twilio';
import type { Deps } from '../../core/ports.js';
import type { ConversationRow } from '../../db/schema.js';
import type { Flows } from '../../ivr/load-flows.js';
import { phrase, voiceUrl } from '../../ivr/render.js';
import type { TwilioClient } from '../twilio/client.js';
import { conferenceName, loadConversation, metaOf, patchCall } from './calls.js';

type VoiceDeps = Omit<Deps, 'channels'>;

/** The softphone identity of an agent (`client:<agent id>`). */
export const clientOf = (agentId: string) => `client:${agentId}`;

/** TwiML that puts a call (caller or contact) into the conversation's conference. */
export function conferenceTwiml(deps: VoiceDeps, flows: Flows, c: ConversationRow, opts: { greet: boolean }): string {
  const meta = metaOf(c);
  const vr = new twilio.twiml.VoiceResponse();
  const lang = meta.lang ?? 'en';
  if (opts.greet) phrase(vr, meta.flow ? flows.get(meta.flow) : undefined, lang, 'connecting');
  const statusCallback = voiceUrl(deps.config.publicUrl, 'conference', { conversationId: c.id });
  vr.dial().conference(
    {
      beep: 'false',
      // The caller waits for the agent (hearing hold audio) and ends the call when they leave.
      startConferenceOnEnter: false,
      endConferenceOnExit: true,
      participantLabel: 'customer',
      statusCallback,
      statusCallbackEvent: ['start', 'end', 'join', 'leave'],
      ...(meta.record
        ? { record: 'record-from-start', recordingStatusCallback: voiceUrl(deps.config.publicUrl, 'recording', { conversationId: c.id }) }
        : {}),
    },
    conferenceName(c.id),
  );
  return vr.toString();
}

/**
 * The hold loop a caller goes back to: the queue node it came through, or a
 * plain loop (`_hold`) for calls that never went through a flow's queue.
 */
export function waitUrlOf(deps: VoiceDeps, c: ConversationRow): string {
  const m = metaOf(c);
  return voiceUrl(deps.config.publicUrl, 'wait', { flow: m.flow ?? 'main', node: m.node ?? '_hold', lang: m.lang ?? 'en' });
}

/** Rings an agent's softphone into the conversation's conference; returns the agent leg's CallSid. */
export async function dialAgentIn(deps: VoiceDeps, client: TwilioClient, c: ConversationRow, agentId: string): Promise<string> {
  const p = await client.conferences(conferenceName(c.id)).participants.create({
    from: c.inboxAddress,
    to: clientOf(agentId),
    label: 'agent',
    timeout: Math.max(10, deps.config.routing.voiceReservationTimeoutSeconds + 5),
    startConferenceOnEnter: true,
    endConferenceOnExit: false,
    statusCallback: voiceUrl(deps.config.publicUrl, 'status', { leg: 'agent', conversationId: c.id, agentId }),
    statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
  });
  return p.callSid;
}

/**
 * An agent accepted a voice conversation: move the caller's live call into a
 * conference named after the conversation and ring the agent's softphone into
 * it. A caller already in the conference (a transfer) stays; the previous
 * agent's leg is dropped once the new one is dialled.
 */
export async function bridgeToAgent(deps: VoiceDeps, client: TwilioClient, flows: Flows, conversation: ConversationRow, agentId: string) {
  const c = (await loadConversation(deps.db, conversation.id)) ?? conversation;
  const meta = metaOf(c);
  if (!meta.callSid || meta.endedAt || meta.mode === 'voicemail' || meta.mode === 'callback') return;
  const inConference = Boolean(meta.bridgedAt) && meta.bridgedAgentId !== agentId;
  if (!inConference) {
    await client.calls(meta.callSid).update({ twiml: conferenceTwiml(deps, flows, c, { greet: true }) });
  }
  const agentCallSid = await dialAgentIn(deps, client, c, agentId);
  if (inConference && meta.agentCallSid) {
    await client
      .conferences(meta.conferenceSid ?? conferenceName(c.id))
      .participants(meta.agentCallSid)
      .remove()
      .catch((err) => deps.log.warn({ err: err.message, conversationId: c.id }, 'could not drop the previous agent leg'));
  }
  await patchCall(deps.db, c.id, { conference: conferenceName(c.id), agentCallSid, bridgedAgentId: agentId, bridgedAt: null });
  deps.log.info({ conversationId: c.id, agentId, transfer: inConference }, 'call bridged to agent softphone');
}

/** Puts the caller on hold (hold audio) or back with the agent. */
export async function setHold(deps: VoiceDeps, client: TwilioClient, c: ConversationRow, hold: boolean, holdUrl?: string) {
  const meta = metaOf(c);
  if (!meta.callSid) return;
  await client
    .conferences(meta.conferenceSid ?? conferenceName(c.id))
    .participants(meta.callSid)
    .update({ hold, ...(hold && holdUrl ? { holdUrl, holdMethod: 'GET' } : {}) });
  await patchCall(deps.db, c.id, { onHold: hold });
}
