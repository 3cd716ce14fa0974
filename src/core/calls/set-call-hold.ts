import type { Actor } from '../agents/actor.js';
import type { Deps } from '../ports.js';
import { callControlOf } from './call-control.js';
import { holdCaller } from './hold-caller.js';
import { loadLiveCall } from './load-live-call.js';

/** The agent on a call (or a supervisor) puts the caller on hold, or takes them off it. */
export async function setCallHold(deps: Deps, actor: Actor, conversationId: string, hold: boolean) {
  const calls = callControlOf(deps);
  const c = await loadLiveCall(deps.db, actor, conversationId);
  await holdCaller(deps, calls, c, hold);
  return { conversationId: c.id, onHold: hold };
}
