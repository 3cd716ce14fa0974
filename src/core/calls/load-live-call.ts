import type { DbOrTx } from '../../db/client.js';
import type { ConversationRow } from '../../db/schema.js';
import { isSupervisor, type Actor } from '../agents/actor.js';
import { loadVisibleConversation } from '../conversations/load.js';
import { AppError, forbidden } from '../errors.js';
import { metaOf } from './call-meta.js';

/** A call the actor may control (hold, transfer): theirs, or any for a supervisor, and still live. */
export async function loadLiveCall(db: DbOrTx, actor: Actor, id: string): Promise<ConversationRow> {
  const c = await loadVisibleConversation(db, actor, id);
  if (c.channel !== 'voice') throw new AppError('bad_request', 'not a call');
  if (c.assigneeId !== actor.id && !isSupervisor(actor)) throw forbidden('only the agent on the call (or a supervisor) can do that');
  const meta = metaOf(c);
  if (!meta.callSid || meta.endedAt || c.status !== 'assigned') throw new AppError('conflict', 'this call is not live');
  return c;
}
