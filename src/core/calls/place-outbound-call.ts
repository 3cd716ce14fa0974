import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { findOrCreateContact } from '../../db/queries/contacts.js';
import { findInbox, listPhoneInboxes } from '../../db/queries/queues.js';
import { contactVisibleTo } from '../contacts/manage-contacts.js';
import { agents, contactIdentities, contacts, conversations, messages, type ConversationRow } from '../../db/schema.js';
import type { Actor } from '../agents/actor.js';
import { loadVisibleConversation } from '../conversations/load.js';
import { publishConversationChange, publishMessage } from '../conversations/publish.js';
import { DEFAULT_QUEUE_BY_CHANNEL } from '../conversations/types.js';
import { AppError, forbidden, notFound } from '../errors.js';
import { E164, E164_HINT } from '../patterns.js';
import type { CallControl, Deps } from '../ports.js';
import { conferenceName, metaOf, type CallMeta } from './call-meta.js';
import { callControlOf } from './call-control.js';
import { checkOutboundDestination } from './check-outbound-destination.js';
import { agentRingSeconds } from './connect-call-to-agent.js';
import { countAgentCalls, patchCall } from './queries.js';

const ZE164 = z.string().regex(E164, E164_HINT);

/** Whom an agent calls from the desk: a conversation's contact (a callback's number), a contact, or a number. */
export const ZPlaceCall = z
  .object({
    conversationId: z.string().uuid().optional(),
    contactId: z.string().uuid().optional(),
    phone: ZE164.optional(),
    /** The hotline to call from (one of the phone inboxes); the conversation's, or the first, otherwise. */
    from: ZE164.optional(),
  })
  .strict()
  .refine(
    (v) => [v.conversationId, v.contactId, v.phone].filter(Boolean).length === 1,
    'give exactly one of conversationId, contactId, phone',
  );
export type PlaceCall = z.output<typeof ZPlaceCall>;

/** Whom to call; `contactId` is null for a number no contact has yet (created once the number passes the checks). */
type Target = { contactId: string | null; phone: string; source?: ConversationRow };

/**
 * An agent calls a contact from the desk. Caller ID is a hotline; the
 * contact's call and the agent's softphone meet in the conversation's
 * conference. A callback or voicemail the agent holds is called back in the
 * same conversation; otherwise a new voice conversation, assigned to the
 * agent, is opened in the hotline's queue. The agent's voice capacity holds
 * for calls they place as for calls they are offered.
 */
export async function placeOutboundCall(deps: Deps, actor: Actor, input: PlaceCall) {
  const calls = callControlOf(deps);
  const { db, log } = deps;
  const target = await resolveTarget(deps, actor, input);
  // Calling a number must not reveal (nor open a conversation with) a contact of a queue the agent does not serve.
  if (target.contactId && !(await contactVisibleTo(db, actor, target.contactId)))
    throw forbidden('this number belongs to a contact in a queue you do not serve');
  const hotlines = await listPhoneInboxes(db);
  const from = input.from ?? (target.source && hotlines.includes(target.source.inboxAddress) ? target.source.inboxAddress : hotlines[0]);
  if (!from) throw new AppError('unavailable', 'no hotline number: add a phone inbox first');
  if (!hotlines.includes(from)) throw new AppError('bad_request', 'from: not one of the hotline numbers (phone inboxes)');
  const check = await checkOutboundDestination(deps, { to: target.phone, from, agentId: actor.id });
  if (!check.ok) throw new AppError('conflict', check.reason);
  const to = check.to;
  const contactId = target.contactId ?? (await findOrCreateContact(db, { kind: 'phone', value: to })).contactId;

  const reuse = target.source && canCallBackIn(target.source, actor) ? target.source : undefined;
  const conversation = await db.transaction(async (tx) => {
    await tx.select({ id: agents.id }).from(agents).where(eq(agents.id, actor.id)).for('update');
    const [agent] = await tx.select().from(agents).where(eq(agents.id, actor.id));
    if ((await countAgentCalls(tx, actor.id, reuse?.id)) >= (agent?.capacity.voice ?? 1)) {
      throw new AppError('at_capacity', 'you are already on a call');
    }
    const meta: Partial<CallMeta> = {
      direction: 'outbound',
      mode: 'call',
      endedAt: null,
      callStatus: null,
      bridgedAt: null,
      answeredAt: null,
      agentCallSid: null,
    };
    if (reuse) return (await patchCall(tx, reuse.id, meta))!;
    const queueKey = target.source?.queueKey ?? (await findInbox(tx, 'phone', from))?.queueKey ?? DEFAULT_QUEUE_BY_CHANNEL.voice;
    const [row] = await tx
      .insert(conversations)
      .values({
        contactId,
        channel: 'voice',
        queueKey,
        status: 'assigned',
        assigneeId: actor.id,
        acceptedAt: new Date(),
        inboxAddress: from,
        threadKey: `outbound:${randomUUID()}`,
        metadata: meta,
      })
      .returning();
    return row;
  });

  let callSid: string;
  try {
    callSid = await calls.dialContact({ conversationId: conversation.id, to, from });
  } catch (err) {
    log.warn({ err, conversationId: conversation.id }, 'outbound call failed');
    if (!reuse) {
      await db
        .update(conversations)
        .set({ status: 'resolved', resolvedAt: new Date(), disposition: 'call failed' })
        .where(eq(conversations.id, conversation.id));
    }
    throw new AppError('unavailable', (err as Error).message);
  }
  await patchCall(
    db,
    conversation.id,
    { callSid, conference: conferenceName(conversation.id) },
    { threadKey: callSid, inboxAddress: from },
  );
  const agentCallSid = await ringCaller(deps, calls, { ...conversation, inboxAddress: from }, actor.id, callSid);
  const updated = (await patchCall(db, conversation.id, { agentCallSid, bridgedAgentId: actor.id }))!;
  const [message] = await db
    .insert(messages)
    .values({
      conversationId: conversation.id,
      channel: 'voice',
      direction: 'outbound',
      body: `Outbound call to ${to}`,
      externalId: callSid,
      status: 'sent',
      authorAgentId: actor.id,
      metadata: { kind: 'outbound-call', callSid },
    })
    .returning();
  publishConversationChange(deps, updated);
  publishMessage(deps, updated, message);
  return { conversation: updated, callSid, to };
}

/** Rings the agent who placed the call into its conference; if that fails, the contact must not answer into an empty one. */
async function ringCaller(deps: Deps, calls: CallControl, c: ConversationRow, agentId: string, contactCallSid: string) {
  try {
    return await calls.ringAgent(c, agentId, agentRingSeconds(deps));
  } catch (err) {
    await calls.endCall(contactCallSid, 'canceled').catch(() => {});
    await patchCall(deps.db, c.id, { endedAt: new Date().toISOString(), callStatus: 'canceled' });
    throw new AppError('unavailable', (err as Error).message);
  }
}

async function resolveTarget(deps: Deps, actor: Actor, input: PlaceCall): Promise<Target> {
  const { db } = deps;
  if (input.phone) {
    const [known] = await db
      .select({ contactId: contactIdentities.contactId })
      .from(contactIdentities)
      .where(and(eq(contactIdentities.kind, 'phone'), eq(contactIdentities.value, input.phone)));
    return { contactId: known?.contactId ?? null, phone: input.phone };
  }
  const source = input.conversationId ? await loadVisibleConversation(db, actor, input.conversationId) : undefined;
  const contactId = source?.contactId ?? input.contactId!;
  const callback = source ? metaOf(source).callbackNumber : undefined;
  if (callback) return { contactId, phone: callback, source };
  const [identity] = await db
    .select()
    .from(contactIdentities)
    .where(and(eq(contactIdentities.contactId, contactId), eq(contactIdentities.kind, 'phone')))
    .limit(1);
  if (!identity) {
    const [exists] = await db.select({ id: contacts.id }).from(contacts).where(eq(contacts.id, contactId));
    if (!exists) throw notFound('contact');
    throw new AppError('conflict', 'the contact has no phone number');
  }
  return { contactId, phone: identity.value, source };
}

/** A callback or voicemail this agent holds is called back in the same conversation. */
function canCallBackIn(c: ConversationRow, actor: Actor) {
  const meta = metaOf(c);
  return c.channel === 'voice' && c.status === 'assigned' && c.assigneeId === actor.id && (meta.mode !== 'call' || Boolean(meta.endedAt));
}
