import type { ConversationRow } from '../../db/schema.js';
import { isSupervisor, type Actor } from '../agents/actor.js';
import { AppError, forbidden } from '../errors.js';

/** Statuses an agent sets by hand (`PATCH /api/conversations/:id {status}`); `assigned` takes one back. */
export const SETTABLE_STATUSES = ['pending', 'snoozed', 'assigned'] as const;
export type SettableStatus = (typeof SETTABLE_STATUSES)[number];

/** How far ahead a snooze may reach. */
export const MAX_SNOOZE_MS = 366 * 24 * 3600 * 1000;

/**
 * Whether `actor` may move `c` to `to` now; throws the error the caller should see. Only a
 * conversation someone holds can wait on its contact or be put aside, and only its assignee (or a
 * supervisor) decides that.
 */
export function checkStatusChange(
  c: Pick<ConversationRow, 'status' | 'assigneeId'>,
  actor: Actor,
  to: SettableStatus,
  opts: { snoozedUntil?: Date; now: Date },
): void {
  if (c.status === 'resolved' || c.status === 'abandoned') throw new AppError('conflict', `conversation is ${c.status}`);
  if (!c.assigneeId || c.status === 'waiting' || c.status === 'offered') {
    throw new AppError('conflict', 'only a conversation an agent holds can be pending or snoozed: accept it first');
  }
  if (c.assigneeId !== actor.id && !isSupervisor(actor)) {
    throw forbidden('only the assigned agent (or a supervisor) can change its status');
  }
  if (to === 'snoozed') {
    const until = opts.snoozedUntil?.getTime();
    if (until === undefined) throw new AppError('bad_request', 'snoozedUntil: required with status snoozed');
    if (until <= opts.now.getTime()) throw new AppError('bad_request', 'snoozedUntil: must be in the future');
    if (until > opts.now.getTime() + MAX_SNOOZE_MS) throw new AppError('bad_request', 'snoozedUntil: at most a year ahead');
  }
}

/** `assigned` is the only status of the three that holds a slot of the agent's capacity. */
export const freesCapacity = (from: ConversationRow['status'], to: SettableStatus) => from === 'assigned' && to !== 'assigned';
