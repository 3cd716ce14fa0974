import type { Actor } from '../agents/actor.js';
import { transferConversation, type TransferTarget } from '../conversations/transfer.js';
import type { Deps } from '../ports.js';
import { metaOf } from './call-meta.js';
import { callControlOf } from './call-control.js';
import { holdCaller } from './hold-caller.js';
import { loadLiveCall } from './load-live-call.js';
import { patchCall } from './queries.js';

/**
 * Transfers a live call, and the caller follows: to a queue, they go back to
 * the hold loop and are routed again; to an agent, they wait on hold in the
 * conference until that agent accepts and answers (then the previous agent's
 * leg is dropped — see `connectCallToAgent`).
 */
export async function transferCall(deps: Deps, actor: Actor, conversationId: string, target: TransferTarget) {
  const calls = callControlOf(deps);
  const before = await loadLiveCall(deps.db, actor, conversationId);
  const meta = metaOf(before);
  const holding = 'agentId' in target && Boolean(meta.bridgedAt);
  if (holding) await holdCaller(deps, calls, before, true);
  const after = await transferConversation(deps, actor, conversationId, target).catch(async (err: unknown) => {
    // Nobody to hand it to (at capacity, unknown queue…): the caller comes back off hold.
    if (holding) await holdCaller(deps, calls, before, false).catch(() => {});
    throw err;
  });
  if ('queue' in target) {
    const moved = await patchCall(deps.db, conversationId, { mode: 'call', bridgedAt: null, onHold: false, direction: 'inbound' });
    await calls.returnCallerToHoldLoop(moved!);
  }
  deps.log.info({ conversationId, to: 'queue' in target ? `queue ${target.queue}` : `agent ${target.agentId}` }, 'call transferred');
  return after;
}
