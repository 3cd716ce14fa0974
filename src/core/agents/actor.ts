import type { ConversationRow, Role } from '../../db/schema.js';
import { forbidden } from '../errors.js';

/** The authenticated agent making a call; loaded fresh per request so role and queues are current. */
export type Actor = { id: string; role: Role; queues: string[] };

export const isSupervisor = (a: Actor) => a.role === 'supervisor' || a.role === 'admin';

/** Agents see their queues' conversations and whatever is assigned to them; supervisors and admins see all. */
export function canSee(actor: Actor, c: Pick<ConversationRow, 'queueKey' | 'assigneeId'>): boolean {
  return isSupervisor(actor) || actor.queues.includes(c.queueKey) || c.assigneeId === actor.id;
}

export function requireRole(actor: Actor, ...roles: Role[]) {
  if (!roles.includes(actor.role)) throw forbidden(`requires role ${roles.join(' or ')}`);
}
