import type { Deps } from '../ports.js';
import { findCallConversation, patchCall } from './queries.js';

export type OverflowChoice = 'voicemail' | 'callback' | 'keep-waiting';

/**
 * A caller past the max wait chose from the overflow menu. Choosing voicemail
 * turns the conversation into a voicemail to call back at once, whether or not
 * they go on to speak. A call we hold no conversation for can only keep
 * waiting (the hold loop then ends it).
 */
export async function chooseOverflow(deps: Pick<Deps, 'db'>, callSid: string, choice: OverflowChoice): Promise<OverflowChoice> {
  if (choice === 'keep-waiting') return choice;
  const c = await findCallConversation(deps.db, callSid);
  if (!c) return 'keep-waiting';
  if (choice === 'voicemail') await patchCall(deps.db, c.id, { mode: 'voicemail' });
  return choice;
}
