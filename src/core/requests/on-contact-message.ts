import type { Tx } from '../../db/client.js';
import type { ConversationRow, MessageRow } from '../../db/schema.js';
import { publishConversationChange } from '../conversations/publish.js';
import { dispatchSystemMessage } from '../conversations/send-system-message.js';
import type { Deps } from '../ports.js';
import { returnToAssignee } from './return-to-assignee.js';

export type ContactMessage = {
  conversation: ConversationRow;
  message: MessageRow;
  /** This message opened the conversation. */
  opened: boolean;
  /** STOP/START/HELP keywords and the other side's auto-replies: they never count as the contact answering. */
  control?: string;
};

/** What the request lifecycle did with a contact's message; `afterContactMessage` carries it out after commit. */
export type ContactMessageEffects = {
  /** The conversation as it is now. */
  conversation: ConversationRow;
  /** It changed status (came back from pending or snoozed). */
  changed: boolean;
  /** It went back to its queue (its agent is gone): the router must run. */
  rerouted: boolean;
  /** Automatic messages queued in the same transaction (auto-reply). */
  systemMessages: MessageRow[];
};

/**
 * The request lifecycle's part of ingesting a contact's message, inside the ingest transaction: a
 * pending or snoozed conversation comes back to its agent (or its queue).
 */
export async function onContactMessage(tx: Tx, m: ContactMessage): Promise<ContactMessageEffects> {
  const effects: ContactMessageEffects = { conversation: m.conversation, changed: false, rerouted: false, systemMessages: [] };
  if (m.control) return effects;
  if (!m.opened && (m.conversation.status === 'pending' || m.conversation.status === 'snoozed')) {
    const back = await returnToAssignee(tx, m.conversation);
    if (back) Object.assign(effects, { conversation: back.conversation, changed: true, rerouted: back.rerouted });
  }
  return effects;
}

/** After the ingest commit: push the change, route what went back to its queue, send what was queued. */
export async function afterContactMessage(deps: Deps, effects: ContactMessageEffects): Promise<void> {
  if (effects.changed) publishConversationChange(deps, effects.conversation);
  if (effects.rerouted) await deps.jobs.dispatch('returned to queue');
  for (const m of effects.systemMessages) await dispatchSystemMessage(deps, effects.conversation, m);
}
