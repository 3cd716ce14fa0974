import twilio from 'twilio';
import { conferenceName, metaOf } from '../../core/calls/call-meta.js';
import type { Config } from '../../config.js';
import type { ConversationRow } from '../../db/schema.js';
import type { Flows } from '../../ivr/load-flows.js';
import { phrase, PHRASES, say, voiceUrl } from '../../ivr/render.js';

/** The softphone identity of an agent (`client:<agent id>`). */
export const clientOf = (agentId: string) => `client:${agentId}`;

/** The agent a softphone identity names (`client:<agent id>`), or null for any other caller. */
export const agentOfClient = (from: string): string | null => (from.startsWith('client:') ? from.slice('client:'.length) : null);

/** TwiML that puts a call (caller or contact) into the conversation's conference. */
export function conferenceTwiml(config: Pick<Config, 'publicUrl'>, flows: Flows, c: ConversationRow, opts: { greet: boolean }): string {
  const meta = metaOf(c);
  const vr = new twilio.twiml.VoiceResponse();
  const lang = meta.lang ?? 'en';
  const flow = meta.flow ? flows.get(meta.flow) : undefined;
  // Consent: the caller hears that the call is recorded (the flow's words, their language) before recording starts.
  if (meta.record) say(vr, flow, lang, flow?.recordingNotice ?? PHRASES.recordingNotice);
  if (opts.greet) phrase(vr, flow, lang, 'connecting');
  const statusCallback = voiceUrl(config.publicUrl, 'conference', { conversationId: c.id });
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
        ? { record: 'record-from-start', recordingStatusCallback: voiceUrl(config.publicUrl, 'recording', { conversationId: c.id }) }
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
export function waitUrlOf(config: Pick<Config, 'publicUrl'>, c: ConversationRow): string {
  const m = metaOf(c);
  return voiceUrl(config.publicUrl, 'wait', { flow: m.flow ?? 'main', node: m.node ?? '_hold', lang: m.lang ?? 'en' });
}
