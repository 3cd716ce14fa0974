import { publishMessage } from '../conversations/publish.js';
import type { Deps } from '../ports.js';
import { findCallMessage, insertCallMessage } from './queries.js';

export type Transcription = {
  transcriptionSid: string;
  /** The voicemail recording it transcribes. */
  recordingSid: string;
  text: string;
  completed: boolean;
};

/**
 * A voicemail's transcription (it arrives minutes later) becomes another
 * message on the voicemail's conversation, once. Unknown recordings and failed
 * transcriptions are dropped.
 */
export async function attachTranscription(deps: Deps, t: Transcription): Promise<void> {
  const recording = await findCallMessage(deps.db, t.recordingSid);
  if (!recording || !t.completed) return;
  const stored = await insertCallMessage(deps.db, recording.conversationId, {
    externalId: t.transcriptionSid,
    body: t.text,
    metadata: { kind: 'transcription', recordingSid: t.recordingSid },
  });
  if (stored?.conversation) publishMessage(deps, stored.conversation, stored.message);
}
