import { randomUUID } from 'node:crypto';
import type { ConversationRow } from '../../db/schema.js';
import type { CallControl, Deps } from '../ports.js';
import { conferenceName, metaOf } from './call-meta.js';
import { handleCallStatus } from './handle-call-status.js';
import { loadConversation, patchCall } from './queries.js';

/** How long an agent's softphone rings for an accepted call: a little longer than a voice offer lasts. */
export const agentRingSeconds = (deps: Pick<Deps, 'config'>) => Math.max(10, deps.config.routing.voiceReservationTimeoutSeconds + 5);

/**
 * An agent accepted a voice conversation: the caller's live call moves into
 * the conversation's conference and the agent's softphone is rung into it. A
 * caller already in the conference (a transfer) stays; the previous agent's
 * leg is dropped once the new one is rung. Voicemails and callbacks have no
 * live call: the agent calls back. Never throws: when the vendor refuses, it
 * is as if the agent's phone never answered — the caller goes back to the
 * queue (a caller who already hung up is left to their own status callback).
 */
export async function connectCallToAgent(deps: Deps, conversation: ConversationRow, agentId: string): Promise<void> {
  if (!deps.calls) return;
  try {
    await bridge(deps, deps.calls, conversation, agentId);
  } catch (err) {
    deps.log.error({ err, conversationId: conversation.id }, 'could not bridge the call to the agent');
    await handleCallStatus(deps, {
      leg: 'agent',
      conversationId: conversation.id,
      agentId,
      callSid: `bridge-failed-${randomUUID()}`,
      status: 'failed',
    }).catch((e: unknown) => deps.log.error({ err: e }, 'could not requeue the call'));
  }
}

async function bridge(deps: Deps, calls: CallControl, conversation: ConversationRow, agentId: string) {
  const c = (await loadConversation(deps.db, conversation.id)) ?? conversation;
  const meta = metaOf(c);
  if (!meta.callSid || meta.endedAt || meta.mode === 'voicemail' || meta.mode === 'callback') return;
  const inConference = Boolean(meta.bridgedAt) && meta.bridgedAgentId !== agentId;
  if (!inConference) await calls.moveCallerToConference(c);
  const agentCallSid = await calls.ringAgent(c, agentId, agentRingSeconds(deps));
  if (inConference && meta.agentCallSid) {
    await calls
      .dropParticipant(c, meta.agentCallSid)
      .catch((err: unknown) => deps.log.warn({ err, conversationId: c.id }, 'could not drop the previous agent leg'));
  }
  await patchCall(deps.db, c.id, { conference: conferenceName(c.id), agentCallSid, bridgedAgentId: agentId, bridgedAt: null });
  deps.log.info({ conversationId: c.id, agentId, transfer: inConference }, 'call bridged to agent softphone');
}
