import type { ConversationRow, MessageRow } from '../../db/schema.js';
import { rooms, toPublicConversation, toPublicMessage, type Deps, type PublicConversation } from '../ports.js';

/** Who may see a conversation live: its queue's agents, supervisors, and whoever holds it. */
export function audienceOf(conversation: ConversationRow): string[] {
  const to = [rooms.queue(conversation.queueKey), rooms.supervisors];
  if (conversation.assigneeId) to.push(rooms.agent(conversation.assigneeId));
  return to;
}

export function publishMessage(deps: Deps, conversation: ConversationRow, message: MessageRow) {
  deps.realtime.publish(audienceOf(conversation), 'message.created', {
    conversationId: conversation.id,
    message: toPublicMessage(message),
  });
}

/** A message already shown changed (sent, delivered, failed with a reason): pushed as `message.updated`. */
export function publishMessageUpdate(deps: Deps, conversation: ConversationRow, message: MessageRow) {
  deps.realtime.publish(audienceOf(conversation), 'message.updated', {
    conversationId: conversation.id,
    message: toPublicMessage(message),
  });
}

/** `extra`: what the caller knows beyond the row (the disposition's label on resolve). */
export function publishConversationChange(
  deps: Deps,
  conversation: ConversationRow,
  also: string[] = [],
  extra: Pick<PublicConversation, 'dispositionLabel'> = {},
) {
  deps.realtime.publish([...audienceOf(conversation), ...also], 'conversation.updated', {
    conversation: { ...toPublicConversation(conversation), ...extra },
  });
  void deps.jobs.queueStats().catch((err) => deps.log.warn({ err }, 'could not schedule queue stats'));
}
