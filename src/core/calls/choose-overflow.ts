import type { Deps } from '../ports.js';
import { findCallConversation, patchCall } from './queries.js';

export type OverflowChoice = 'voicemail' | 'callback' | 'keep-waiting';

/**
 * A caller past the max wait chose from the overflow menu. Choosing voicemail
 * takes them out of the line at once; the conversation becomes a voicemail to
 * call back when the recording arrives (nothing recorded: an abandoned call). A call we hold no conversation for can only keep
 * waiting (the hold loop then ends it).
 */
export async function chooseOverflow(deps: Pick<Deps, 'db'>, callSid: string, choice: OverflowChoice): Promise<OverflowChoice> {
  if (choice === 'keep-waiting') return choice;
  const c = await findCallConversation(deps.db, callSid);
  if (!c) return 'keep-waiting';
  // Not a live caller any more (the hold position of others stops counting them), but until a
  // recording arrives a hang-up is an abandon, not an empty voicemail.
  if (choice === 'voicemail') await patchCall(deps.db, c.id, { mode: 'voicemail', recordingPending: true });
  return choice;
}
