import { flagRiskInTx, publishRiskFlag } from '../crisis/flag-risk.js';
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
 * message on the voicemail's conversation, once, and is checked for a crisis
 * like any text a contact writes. Unknown recordings and failed transcriptions
 * are dropped.
 */
export async function attachTranscription(deps: Deps, t: Transcription): Promise<void> {
  const recording = await findCallMessage(deps.db, t.recordingSid);
  if (!recording || !t.completed) return;
  const done = await deps.db.transaction(async (tx) => {
    const stored = await insertCallMessage(tx, recording.conversationId, {
      externalId: t.transcriptionSid,
      body: t.text,
      metadata: { kind: 'transcription', recordingSid: t.recordingSid },
    });
    if (!stored?.conversation) return null;
    const risk = await flagRiskInTx(deps, tx, { conversation: stored.conversation, message: stored.message, text: t.text });
    return { message: stored.message, conversation: risk?.conversation ?? stored.conversation, risk };
  });
  if (!done) return;
  publishMessage(deps, done.conversation, done.message);
  if (done.risk) await publishRiskFlag(deps, done.risk);
}
