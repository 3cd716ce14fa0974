import type { ConversationRow } from '../../db/schema.js';
import type { CallControl, Deps } from '../ports.js';
import { metaOf } from './call-meta.js';
import { patchCall } from './queries.js';

/** Puts the caller on hold in the conference (hold audio) or back with the agent, and remembers which. */
export async function holdCaller(deps: Pick<Deps, 'db'>, calls: CallControl, c: ConversationRow, hold: boolean): Promise<void> {
  const meta = metaOf(c);
  if (!meta.callSid) return;
  await calls.holdParticipant(c, meta.callSid, hold);
  await patchCall(deps.db, c.id, { onHold: hold });
}
