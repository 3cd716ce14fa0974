import { ingestInbound } from '../conversations/ingest-inbound.js';
import type { Lang } from '../../ivr/flow-schema.js';
import type { Deps } from '../ports.js';
import { callInbound, type CallRef } from './call-ref.js';
import { patchCall } from './queries.js';

export type Voicemail = CallRef & {
  flow: string;
  lang: Lang;
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
  const result = await ingestInbound(
    deps,
    callInbound(vm, {
      externalId: vm.recordingSid,
      queue: vm.queue,
      body: `Voicemail (${vm.durationSeconds} s)`,
      media: [{ url: vm.mediaUrl, contentType: 'audio/mpeg', name: `voicemail-${vm.recordingSid}.mp3` }],
      metadata: { kind: 'voicemail', recordingSid: vm.recordingSid, durationSeconds: vm.durationSeconds },
      conversationMetadata: { callSid: vm.callSid, direction: 'inbound', flow: vm.flow, lang: vm.lang, mode: 'voicemail' },
    }),
  );
  if (result.duplicate) return { conversationId: null, duplicate: true };
  if (result.conversation) {
    // A caller who queued live joins their open conversation: it stops being a live call.
    await patchCall(deps.db, result.conversation.id, { mode: 'voicemail', callSid: vm.callSid });
    deps.log.info({ conversationId: result.conversation.id, seconds: vm.durationSeconds }, 'voicemail stored');
  }
  return { conversationId: result.conversation?.id ?? null, duplicate: false };
}
