import { and, eq } from 'drizzle-orm';
import { findOrCreateContact } from '../../db/queries/contacts.js';
import { findInbox, listPhoneInboxes } from '../../db/queries/queues.js';
import { contactVisibleTo } from '../contacts/manage-contacts.js';
import { contactIdentities, conversations } from '../../db/schema.js';
import { loadActor } from '../agents/tokens.js';
import { publishConversationChange } from '../conversations/publish.js';
import { DEFAULT_QUEUE_BY_CHANNEL } from '../conversations/types.js';
import type { Deps } from '../ports.js';
import type { CallMeta } from './call-meta.js';
import { checkOutboundDestination } from './check-outbound-destination.js';
import { findCallConversation } from './queries.js';

export type SoftphoneDial = { dial: true; to: string; callerId: string; conversationId: string } | { dial: false; reason: string };

/**
 * An agent's softphone dials a number directly (typed on the desk's keypad).
 * Caller ID must be one of our hotlines (the one they asked for, else the
 * first); the destination goes through the same check as every outbound call,
 * a contact of a queue the agent does not serve is not called, and the call
 * is a conversation like any other (assigned to the agent, closed when the
 * dial ends).
 */
export async function planSoftphoneDial(
  deps: Deps,
  input: { agentId: string; to: string; callerId?: string; callSid: string },
): Promise<SoftphoneDial> {
  const { db } = deps;
  const hotlines = await listPhoneInboxes(db);
  const callerId = input.callerId || hotlines[0];
  if (!callerId) return { dial: false, reason: 'no hotline number to call from' };
  if (!hotlines.includes(callerId)) return { dial: false, reason: 'the caller ID is not one of our hotline numbers' };
  const check = await checkOutboundDestination(deps, { to: input.to, from: callerId, agentId: input.agentId });
  if (!check.ok) return { dial: false, reason: check.reason };
  const actor = await loadActor(db, input.agentId).catch(() => null);
  if (!actor) return { dial: false, reason: 'unknown agent' };
  const [known] = await db
    .select({ contactId: contactIdentities.contactId })
    .from(contactIdentities)
    .where(and(eq(contactIdentities.kind, 'phone'), eq(contactIdentities.value, check.to)));
  if (known && !(await contactVisibleTo(db, actor, known.contactId)))
    return { dial: false, reason: 'the number belongs to a contact in a queue the agent does not serve' };
  const contactId = known?.contactId ?? (await findOrCreateContact(db, { kind: 'phone', value: check.to })).contactId;
  const meta: CallMeta = { callSid: input.callSid, direction: 'outbound', mode: 'call', endedAt: null };
  const queueKey = (await findInbox(db, 'phone', callerId))?.queueKey ?? DEFAULT_QUEUE_BY_CHANNEL.voice;
  const [row] = await db
    .insert(conversations)
    .values({
      contactId,
      channel: 'voice',
      queueKey,
      status: 'assigned',
      assigneeId: actor.id,
      acceptedAt: new Date(),
      inboxAddress: callerId,
      threadKey: input.callSid,
      metadata: { ...meta, softphone: true },
    })
    // A redelivered webhook for the same call: the record exists already.
    .onConflictDoNothing()
    .returning();
  if (row) publishConversationChange(deps, row);
  const id = row?.id ?? (await findCallConversation(db, input.callSid))?.id;
  if (!id) return { dial: false, reason: 'the call could not be recorded' };
  return { dial: true, to: check.to, callerId, conversationId: id };
}
