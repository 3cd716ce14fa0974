import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '../../db/client.js';
import { getQueue } from '../../db/queries/queues.js';
import { newIdentity } from '../../db/queries/contacts.js';
import { contactIdentities, contacts, conversations, inboxes, messages, OPEN_STATUSES, type QueueRow } from '../../db/schema.js';
import { isSupervisor, type Actor } from '../agents/actor.js';
import { publishConversationChange, publishMessage } from '../conversations/publish.js';
import { AppError, forbidden, notFound } from '../errors.js';
import { E164 } from '../patterns.js';
import type { Deps } from '../ports.js';

const ZBody = z.string().trim().min(1, 'body must not be empty').max(20_000);
const ZQueueKey = z.string().min(1).max(40);

/** `POST /api/conversations`: an agent writes first, by SMS or email, to a known contact or a new address. */
export const ZOutbound = z.discriminatedUnion('channel', [
  z
    .object({
      channel: z.literal('sms'),
      to: z
        .string()
        .transform((s) => s.replace(/[\s().-]/g, ''))
        .pipe(z.string().regex(E164, 'to: an E.164 phone number such as +15551234567')),
      queue: ZQueueKey,
      body: ZBody.max(1600, 'an SMS body is at most 1600 characters'),
      /** Extension: attach a new number to this existing contact. */
      contactId: z.string().uuid().optional(),
    })
    .strict(),
  z
    .object({
      channel: z.literal('email'),
      to: z.email('to: an email address').transform((s) => s.toLowerCase()),
      queue: ZQueueKey,
      body: ZBody,
      subject: z.string().trim().min(1).max(300).optional(),
      contactId: z.string().uuid().optional(),
    })
    .strict(),
]);
export type Outbound = z.output<typeof ZOutbound>;

/**
 * Opens a conversation the agent starts: the contact is found (or created) by the address, the
 * conversation is `assigned` to the caller in the chosen queue, and the first message is stored
 * `pending` for the send job — all in one transaction. A number that texted STOP is refused with
 * `opted_out` and nothing is stored; an SMS contact with an open SMS conversation is pointed to it.
 */
export async function openOutbound(deps: Deps, actor: Actor, input: Outbound) {
  if (!isSupervisor(actor) && !actor.queues.includes(input.queue)) throw forbidden(`you do not serve the queue ${input.queue}`);
  if (!deps.channels[input.channel]) throw new AppError('unavailable', `the ${input.channel} channel is not configured`);
  const { conversation, message } = await deps.db.transaction(async (tx) => {
    const queue = await getQueue(tx, input.queue);
    if (!queue) throw notFound(`queue ${input.queue}`);
    const kind = input.channel === 'sms' ? 'phone' : 'email';
    const identity = await identityFor(tx, kind, input.to, input.contactId);
    if (identity.optedOutAt && input.channel === 'sms') {
      throw new AppError('opted_out', 'this number texted STOP: no SMS may be sent until it texts START');
    }
    const inboxAddress = await sendingAddress(tx, deps, queue, input.channel);
    const now = new Date();
    const [conversation] = await tx
      .insert(conversations)
      .values({
        contactId: identity.contactId,
        contactIdentityId: identity.id,
        channel: input.channel,
        queueKey: queue.key,
        status: 'assigned',
        assigneeId: actor.id,
        priority: queue.priority,
        inboxAddress,
        // SMS has one thread per contact; an outbound mail starts a thread of its own.
        threadKey: input.channel === 'sms' ? '' : `outbound:${randomUUID()}`,
        subject: input.channel === 'email' ? (input.subject ?? queue.name) : null,
        metadata: { direction: 'outbound', startedBy: actor.id },
        acceptedAt: now,
        firstReplyAt: now,
        lastMessageAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!conversation) {
      const [open] = await tx
        .select({ number: conversations.number })
        .from(conversations)
        .where(
          and(
            eq(conversations.contactId, identity.contactId),
            eq(conversations.channel, input.channel),
            eq(conversations.threadKey, ''),
            inArray(conversations.status, [...OPEN_STATUSES]),
          ),
        );
      throw new AppError('conflict', `this contact already has an open SMS conversation${open ? ` (#${open.number})` : ''}: reply there`);
    }
    const [message] = await tx
      .insert(messages)
      .values({
        conversationId: conversation.id,
        channel: input.channel,
        direction: 'outbound',
        body: input.body,
        authorAgentId: actor.id,
        status: 'pending',
      })
      .returning();
    return { conversation, message };
  });
  publishConversationChange(deps, conversation);
  publishMessage(deps, conversation, message);
  await deps.jobs.sendMessage(message.id);
  deps.log.info({ conversationId: conversation.id, channel: conversation.channel, agentId: actor.id }, 'outbound conversation opened');
  return conversation;
}

/** The identity to write to: an existing one (it must belong to `contactId` when given), or a new one. */
async function identityFor(tx: Tx, kind: 'phone' | 'email', value: string, contactId: string | undefined) {
  const [known] = await tx
    .select()
    .from(contactIdentities)
    .where(and(eq(contactIdentities.kind, kind), eq(contactIdentities.value, value)))
    .for('update');
  if (known) {
    if (contactId && known.contactId !== contactId) throw new AppError('conflict', `${value} belongs to another contact: merge them first`);
    return known;
  }
  let owner = contactId;
  if (owner) {
    const [c] = await tx.select({ id: contacts.id }).from(contacts).where(eq(contacts.id, owner));
    if (!c) throw notFound('contact');
  } else {
    const [c] = await tx.insert(contacts).values({}).returning({ id: contacts.id });
    owner = c.id;
  }
  const [created] = await tx.insert(contactIdentities).values(newIdentity(owner, { kind, value })).returning();
  return created;
}

/** Our side of the new conversation: the queue's own number or address, else the installation's. */
async function sendingAddress(tx: Tx, deps: Deps, queue: QueueRow, channel: 'sms' | 'email'): Promise<string> {
  const kind = channel === 'sms' ? 'phone' : 'email';
  const mapped = await tx
    .select({ address: inboxes.address, queueKey: inboxes.queueKey })
    .from(inboxes)
    .where(eq(inboxes.kind, kind))
    .orderBy(asc(inboxes.createdAt));
  const own = mapped.find((i) => i.queueKey === queue.key) ?? (channel === 'sms' ? mapped[0] : undefined);
  if (own) return own.address;
  if (channel === 'email') {
    const domain = deps.config.mail.inboundDomain;
    if (domain) return `${queue.key}@${domain}`;
    const from = queue.emailFrom ?? deps.config.mail.from;
    if (from) return from;
    throw new AppError('unavailable', 'no address to send mail from: set INBOUND_EMAIL_DOMAIN or MAIL_FROM');
  }
  throw new AppError('unavailable', 'no number to text from: add a phone inbox (POST /api/inboxes)');
}
