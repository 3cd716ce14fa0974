import { flagRiskInTx, foundRisk, matchRisk, publishRiskFlag, readAdminTerms } from '../crisis/flag-risk.js';
import { publishMessage } from '../conversations/publish.js';
import type { Deps } from '../ports.js';
import { lockLiveOffers } from '../routing/reservations.js';
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
 * are dropped. Matched before the transaction, as an inbound text is: one that
 * matched locks the voicemail's live offer before the message locks the
 * conversation (the accept's lock order, reservations.ts), since the check may
 * withdraw it.
 */
export async function attachTranscription(deps: Deps, t: Transcription): Promise<void> {
  const recording = await findCallMessage(deps.db, t.recordingSid);
  if (!recording || !t.completed) return;
  const crisis = matchRisk(t.text, await readAdminTerms(deps.adminCache));
  const done = await deps.db.transaction(async (tx) => {
    if (foundRisk(crisis)) await lockLiveOffers(tx, [recording.conversationId]);
    const stored = await insertCallMessage(tx, recording.conversationId, {
      externalId: t.transcriptionSid,
      body: t.text,
      metadata: { kind: 'transcription', recordingSid: t.recordingSid },
    });
    if (!stored?.conversation) return null;
    const risk = await flagRiskInTx(deps, tx, { conversation: stored.conversation, message: stored.message, text: t.text }, crisis);
    return { message: stored.message, conversation: risk?.conversation ?? stored.conversation, risk };
  });
  if (!done) return;
  publishMessage(deps, done.conversation, done.message);
  if (done.risk) await publishRiskFlag(deps, done.risk);
}
