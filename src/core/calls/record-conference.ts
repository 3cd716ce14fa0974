import type { Deps } from '../ports.js';
import { metaOf } from './call-meta.js';
import { loadConversation, patchCall } from './queries.js';

/** The vendor named the conversation's conference: hold and transfers address its participants by that id from now on. */
export async function recordConference(deps: Pick<Deps, 'db'>, conversationId: string, conferenceSid: string): Promise<void> {
  const c = await loadConversation(deps.db, conversationId);
  if (c && metaOf(c).conferenceSid !== conferenceSid) await patchCall(deps.db, c.id, { conferenceSid });
}
