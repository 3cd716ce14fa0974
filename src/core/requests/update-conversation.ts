import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { getQueue } from '../../db/queries/queues.js';
import { conversations, type ConversationRow } from '../../db/schema.js';
import type { Actor } from '../agents/actor.js';
import { loadVisibleConversation } from '../conversations/load.js';
import { publishConversationChange } from '../conversations/publish.js';
import type { Deps } from '../ports.js';
import { leavePending } from './pending-time.js';
import { resumeResolutionOf } from './sla.js';
import { checkStatusChange, freesCapacity, SETTABLE_STATUSES } from './status-rules.js';
import { ZTags } from './tags.js';

/** `PATCH /api/conversations/:id`: a status an agent sets, and/or the whole set of tags. */
export const ZConversationPatch = z
  .object({
    status: z.enum(SETTABLE_STATUSES).optional(),
    snoozedUntil: z.iso
      .datetime({ offset: true, message: 'snoozedUntil: an ISO date-time' })
      .transform((s) => new Date(s))
      .optional(),
    tags: ZTags.optional(),
  })
  .strict()
  .refine((p) => p.status !== undefined || p.tags !== undefined, 'nothing to change: give status and/or tags')
  .refine((p) => p.snoozedUntil === undefined || p.status === 'snoozed', 'snoozedUntil goes with status snoozed');
export type ConversationPatch = z.output<typeof ZConversationPatch>;

/**
 * Sets a conversation `pending` (waiting on the contact), `snoozed` (put aside until a time) or
 * back to `assigned`, and/or replaces its tags. Leaving `assigned` frees a slot of the agent's
 * capacity, so the router runs; the timers that bring it back are armed after commit (the
 * reconciler finds them anyway).
 */
export async function updateConversation(deps: Deps, actor: Actor, id: string, patch: ConversationPatch): Promise<ConversationRow> {
  const now = new Date();
  const { conversation, freed, wakeAt } = await deps.db.transaction(async (tx) => {
    const c = await loadVisibleConversation(tx, actor, id, { forUpdate: true });
    const set: Partial<typeof conversations.$inferInsert> = {};
    let freed = false;
    let wakeAt: Date | null = null;
    if (patch.status && patch.status !== c.status) {
      checkStatusChange(c, actor, patch.status, { snoozedUntil: patch.snoozedUntil, now });
      freed = freesCapacity(c.status, patch.status);
      set.status = patch.status;
      if (patch.status === 'pending') {
        Object.assign(set, { pendingSince: sql`now()`, snoozedUntil: null });
        const queue = await getQueue(tx, c.queueKey);
        if (queue?.autoResolvePendingSeconds) wakeAt = new Date(now.getTime() + queue.autoResolvePendingSeconds * 1000);
      } else {
        Object.assign(set, leavePending(), { snoozedUntil: patch.status === 'snoozed' ? patch.snoozedUntil : null });
        // Time waiting on the contact does not count against resolution.
        if (c.status === 'pending') Object.assign(set, await resumeResolutionOf(tx, c, now));
        if (patch.status === 'snoozed') wakeAt = patch.snoozedUntil!;
      }
    } else if (patch.status === 'snoozed') {
      // Snoozed again: only the time moves.
      checkStatusChange(c, actor, 'snoozed', { snoozedUntil: patch.snoozedUntil, now });
      set.snoozedUntil = patch.snoozedUntil;
      wakeAt = patch.snoozedUntil!;
    }
    if (patch.tags) set.tags = patch.tags;
    if (Object.keys(set).length === 0) return { conversation: c, freed, wakeAt };
    const [updated] = await tx.update(conversations).set(set).where(eq(conversations.id, id)).returning();
    return { conversation: updated, freed, wakeAt };
  });
  publishConversationChange(deps, conversation);
  if (freed) await deps.jobs.dispatch('capacity freed');
  if (wakeAt) await deps.jobs.requestTimer(wakeAt);
  return conversation;
}
