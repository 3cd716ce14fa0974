import type { Deps } from '../ports.js';
import { metaOf } from './call-meta.js';
import { findCallConversation, patchCall } from './queries.js';

/** The caller waited past the max wait and went to the flow's overflow (they stay queued): stamped once. */
export async function markCallOverflowed(deps: Pick<Deps, 'db'>, callSid: string, now = new Date()): Promise<void> {
  const c = await findCallConversation(deps.db, callSid);
  if (c && !metaOf(c).overflowedAt) await patchCall(deps.db, c.id, { overflowedAt: now.toISOString() });
}
