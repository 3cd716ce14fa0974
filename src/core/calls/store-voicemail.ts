import { ingestInbound } from '../conversations/ingest-inbound.js';
import type { Lang } from '../../ivr/flow-schema.js';
import type { Deps } from '../ports.js';
import { callInbound, type CallRef } from './call-ref.js';
import { getQueue } from '../../db/queries/queues.js';
import { callbackShift } from '../routing/policy.js';
import { metaOf } from './call-meta.js';
import { findCallConversation, patchCall } from './queries.js';

export type Voicemail = CallRef & {
  flow: string;
  lang: Lang;
  /** The caller picked `lang` at a language node: it becomes their contact's language. */
  langChosen?: boolean;
  /** The voicemail node's queue; the called number's otherwise. */
  queue?: string;
  recordingSid: string;
  /** Where the vendor serves the recording (mp3). */
  mediaUrl: string;
  durationSeconds: number;
};

/**
 * A caller left a voicemail (a flow's voicemail node, or tired of waiting):
 * it becomes a message with the recording, in the call's conversation — which
 * from now on waits as a voicemail to call back, not as a live call.
 */
export async function storeVoicemail(deps: Deps, vm: Voicemail): Promise<{ conversationId: string | null; duplicate: boolean }> {
  // The hang-up's status callback may come before the recording: the call was closed as abandoned; it is a voicemail after all.
  const reopened = await reopenAbandonedVoicemail(deps, vm.callSid);
  const result = await ingestInbound(
    deps,
    callInbound(vm, {
      externalId: vm.recordingSid,
      queue: vm.queue,
      callback: true,
      body: `Voicemail (${vm.durationSeconds} s)`,
      media: [{ url: vm.mediaUrl, contentType: 'audio/mpeg', name: `voicemail-${vm.recordingSid}.mp3` }],
      metadata: { kind: 'voicemail', recordingSid: vm.recordingSid, durationSeconds: vm.durationSeconds },
      conversationMetadata: { callSid: vm.callSid, direction: 'inbound', flow: vm.flow, lang: vm.lang, mode: 'voicemail', demoted: true },
    }),
  );
  if (result.duplicate) return { conversationId: null, duplicate: true };
  if (result.conversation) {
    // A caller who queued live joins their open conversation: it stops being a live call, placed as the queue says.
    const c = result.conversation;
    const demote = !metaOf(c).demoted;
    await patchCall(
      deps.db,
      c.id,
      { mode: 'voicemail', callSid: vm.callSid, recordingPending: false, demoted: true },
      demote ? { priority: c.priority + callbackShift((await getQueue(deps.db, c.queueKey))?.callbackOrder) } : {},
    );
    if (reopened) await deps.jobs.dispatch('voicemail arrived after the hang-up');
    deps.log.info({ conversationId: result.conversation.id, seconds: vm.durationSeconds }, 'voicemail stored');
  }
  return { conversationId: result.conversation?.id ?? null, duplicate: false };
}

/** A call abandoned while its voicemail was still being recorded goes back to waiting (its recording is here). */
async function reopenAbandonedVoicemail(deps: Deps, callSid: string): Promise<boolean> {
  const c = await findCallConversation(deps.db, callSid);
  if (!c || c.status !== 'abandoned' || !metaOf(c).recordingPending) return false;
  await patchCall(deps.db, c.id, { recordingPending: false }, { status: 'waiting', abandonedAt: null });
  return true;
}
