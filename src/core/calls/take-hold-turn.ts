import type { ConversationRow } from '../../db/schema.js';
import { getQueue } from '../../db/queries/queues.js';
import type { Lang } from '../../ivr/flow-schema.js';
import type { Deps } from '../ports.js';
import { metaOf } from './call-meta.js';
import { countCallersAhead, findCallConversation, patchCall, recentAnswerTimes } from './queries.js';
import { estimateWaitSeconds } from './wait-estimate.js';

/** How long a caller waits before the overflow when neither the flow node nor the queue says. */
export const DEFAULT_MAX_WAIT_SECONDS = 600;

export type HoldTurn =
  /** An agent took the call: the bridge replaces the hold loop any moment now. */
  | { kind: 'bridging' }
  /**
   * Nothing is waiting for this call: hang up. `closed`: its conversation was
   * resolved from the desk while the caller held (they are told so first).
   */
  | { kind: 'gone'; closed: boolean; lang?: Lang }
  | {
      kind: 'waiting';
      conversation: ConversationRow;
      /** 1 + callers ahead. */
      position: number;
      /** null: no recent answers to estimate from (the caller hears only their position). */
      estimatedWaitSeconds: number | null;
      waitedSeconds: number;
      /** After this long the caller is offered the overflow. */
      maxWaitSeconds: number;
    };

/**
 * One turn of a caller's hold loop: where they stand, and proof of life for
 * the sweep that catches hang-ups whose status callback never came.
 */
export async function takeHoldTurn(
  deps: Pick<Deps, 'db'>,
  input: { callSid: string; now: Date; nodeMaxWaitSeconds?: number },
): Promise<HoldTurn> {
  const { db } = deps;
  const c = await findCallConversation(db, input.callSid);
  if (c?.status === 'assigned') return { kind: 'bridging' };
  if (!c) return { kind: 'gone', closed: false };
  if (c.status !== 'waiting' && c.status !== 'offered') return { kind: 'gone', closed: c.status === 'resolved', lang: metaOf(c).lang };
  await patchCall(db, c.id, { lastHeardAt: input.now.toISOString() });
  const queue = await getQueue(db, c.queueKey);
  const ahead = await countCallersAhead(db, c);
  return {
    kind: 'waiting',
    conversation: c,
    position: ahead + 1,
    estimatedWaitSeconds: estimateWaitSeconds(ahead, await recentAnswerTimes(db, c.queueKey, input.now)),
    waitedSeconds: Math.round((input.now.getTime() - c.queuedAt.getTime()) / 1000),
    maxWaitSeconds: input.nodeMaxWaitSeconds ?? queue?.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS,
  };
}
