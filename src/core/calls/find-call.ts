import type { ConversationRow } from '../../db/schema.js';
import type { Deps } from '../ports.js';
import { findCallConversation, loadConversation } from './queries.js';

/** A call's conversation, by its id or by the call's vendor id. */
export async function findCall(
  deps: Pick<Deps, 'db'>,
  ref: { conversationId: string } | { callSid: string },
): Promise<ConversationRow | undefined> {
  return 'conversationId' in ref ? loadConversation(deps.db, ref.conversationId) : findCallConversation(deps.db, ref.callSid);
}
