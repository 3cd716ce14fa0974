import { conferenceName, metaOf } from '../../core/calls/call-meta.js';
import type { CallControl } from '../../core/ports.js';
import type { Config } from '../../config.js';
import type { ConversationRow } from '../../db/schema.js';
import type { Flows } from '../../ivr/load-flows.js';
import { voiceUrl } from '../../ivr/render.js';
import type { TwilioClient } from '../twilio/client.js';
import { twilioRecordingMedia } from '../twilio/recording-media.js';
import { clientOf, conferenceTwiml, waitUrlOf } from './conference.js';

const CALL_EVENTS = ['initiated', 'ringing', 'answered', 'completed'];

/** Twilio addresses a conference by its sid once it told us one; by the name we gave it before that. */
const conferenceOf = (c: ConversationRow) => metaOf(c).conferenceSid ?? conferenceName(c.id);

/** Prefixes a vendor failure with what we were doing, for the agent to read. */
const failed = (what: string) => (err: unknown) => {
  throw new Error(`${what}: ${(err as Error).message}`);
};

/**
 * The call control port on Twilio's REST API: calls, and participants of the
 * conference named after each conversation. Status callbacks come back to
 * `/webhooks/twilio/voice/status` with the leg and conversation in the query.
 */
export function twilioCallControl(config: Pick<Config, 'publicUrl' | 'twilio'>, client: TwilioClient, flows: Flows): CallControl {
  const url = (path: string, query: Record<string, string>) => voiceUrl(config.publicUrl, path, query);
  return {
    async dialContact({ conversationId, to, from }) {
      const call = await client.calls
        .create({
          to,
          from,
          url: url('connect', { conversationId }),
          method: 'POST',
          statusCallback: url('status', { leg: 'outbound', conversationId }),
          statusCallbackEvent: CALL_EVENTS,
          statusCallbackMethod: 'POST',
        })
        .catch(failed('Twilio did not place the call'));
      return call.sid;
    },
    async ringAgent(c, agentId, ringSeconds) {
      const p = await client
        .conferences(conferenceName(c.id))
        .participants.create({
          from: c.inboxAddress,
          to: clientOf(agentId),
          label: 'agent',
          timeout: ringSeconds,
          startConferenceOnEnter: true,
          endConferenceOnExit: false,
          statusCallback: url('status', { leg: 'agent', conversationId: c.id, agentId }),
          statusCallbackEvent: CALL_EVENTS,
        })
        .catch(failed('Twilio did not ring your softphone'));
      return p.callSid;
    },
    async moveCallerToConference(c) {
      await client.calls(metaOf(c).callSid!).update({ twiml: conferenceTwiml(config, flows, c, { greet: true }) });
    },
    async returnCallerToHoldLoop(c) {
      await client.calls(metaOf(c).callSid!).update({ url: waitUrlOf(config, c), method: 'POST' });
    },
    // The caller leaves the conference (where they are alone now) for the survey's TwiML.
    async sendCallerToSurvey(c) {
      await client.calls(metaOf(c).callSid!).update({ url: url('csat', { conversationId: c.id }), method: 'POST' });
    },
    async holdParticipant(c, callSid, hold) {
      await client.conferences(conferenceOf(c)).participants(callSid).update({ hold });
    },
    async dropParticipant(c, callSid) {
      await client.conferences(conferenceOf(c)).participants(callSid).remove();
    },
    async endCall(callSid, how) {
      await client.calls(callSid).update({ status: how });
    },
    async fetchCall(callSid) {
      const call = await client.calls(callSid).fetch();
      return { status: call.status, durationSeconds: call.duration ? Number(call.duration) : undefined };
    },
    // The client buffers whole responses; audio is streamed with the same base URL and credentials.
    fetchRecording: twilioRecordingMedia(config.twilio),
    async deleteRecording(recordingSid) {
      await client
        .recordings(recordingSid)
        .remove()
        .catch((err: unknown) => {
          // 404: deleted already (an erasure retried, or removed in Twilio's console).
          if ((err as { status?: number }).status === 404) return;
          throw new Error(`Twilio did not delete recording ${recordingSid}: ${(err as Error).message}`);
        });
    },
  };
}
