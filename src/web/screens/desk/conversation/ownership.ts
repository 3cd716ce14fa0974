import type { Agent, Conversation } from '../../../types.js';

/**
 * What the signed-in agent may do with a conversation, mirroring the server's checks
 * (src/core/conversations: send-reply, resolve, transfer) so the desk disables what
 * would be refused instead of letting the agent find out by trying. Notes are open
 * to anyone who can see it.
 */
export function rightsOn(c: Conversation, me: Agent | null) {
  const mine = !!me && c.assigneeId === me.id;
  const supervisor = me?.role === 'supervisor' || me?.role === 'admin';
  return {
    mine,
    canReply: mine || supervisor,
    canResolve: mine || supervisor,
    // Anyone who sees an unassigned conversation may hand it on; a held one only its holder.
    canTransfer: !c.assigneeId || mine || supervisor,
  };
}
