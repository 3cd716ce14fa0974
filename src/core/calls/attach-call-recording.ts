import { publishMessage } from '../conversations/publish.js';
import type { Deps } from '../ports.js';
import { findCallConversation, insertCallMessage, loadConversation } from './queries.js';

export type CallRecording = {
  /** The conversation the recording webhook names; else the call's. */
  conversationId?: string;
  callSid?: string;
  recordingSid: string;
  mediaUrl: string;
  durationSeconds: number;
  /** Only a completed recording is attached. */
  completed: boolean;
};

/** A call recording is ready (calls recorded from the moment an agent answers): attached to its conversation once. */
export async function attachCallRecording(deps: Deps, rec: CallRecording): Promise<void> {
  const c = rec.conversationId
    ? await loadConversation(deps.db, rec.conversationId)
    : rec.callSid
      ? await findCallConversation(deps.db, rec.callSid)
      : undefined;
  if (!c || !rec.completed) return;
  const stored = await insertCallMessage(deps.db, c.id, {
    externalId: rec.recordingSid,
    body: `Call recording (${rec.durationSeconds} s)`,
    media: [{ url: rec.mediaUrl, contentType: 'audio/mpeg', name: `call-${rec.recordingSid}.mp3` }],
    metadata: { kind: 'recording', recordingSid: rec.recordingSid, durationSeconds: rec.durationSeconds },
  });
  if (stored?.conversation) publishMessage(deps, stored.conversation, stored.message);
}
