import { and, arrayContains, asc, desc, eq, inArray, lt, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { identitiesOf } from '../../db/queries/contacts.js';
import { agents, contacts, conversations, CONVERSATION_STATUSES, messages, OPEN_STATUSES, tagged } from '../../db/schema.js';
import type { DbOrTx } from '../../db/client.js';
import { isSupervisor, type Actor } from '../agents/actor.js';
import { conversationCsat } from '../csat/record-answer.js';
import { AppError } from '../errors.js';
import { toPublicConversation, toPublicMessage } from '../ports.js';
import { ZTag } from '../requests/tags.js';
import { dispositionLabel } from '../content/dispositions.js';
import { loadVisibleConversation } from './load.js';

export const ZListQuery = z.object({
  /** One status, `open` (not resolved or abandoned: waiting, offered, assigned, pending, snoozed; the default) or `all`. */
  status: z.enum([...CONVERSATION_STATUSES, 'open', 'all']).optional(),
  /** The conversation with this reference (`#1042`); with it, `status` defaults to `all`. */
  number: z.coerce.number().int().min(1).max(2_147_483_647).optional(),
  /** Only conversations carrying this tag (repeat it: all of them). */
  tag: z
    .union([ZTag, z.array(ZTag).max(10)])
    .transform((t) => (Array.isArray(t) ? t : [t]))
    .optional(),
  queue: z.string().optional(),
  channel: z.enum(['voice', 'sms', 'email', 'slack']).optional(),
  mine: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => v === 'true' || v === '1'),
  contactId: z.string().uuid().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().optional(),
});

type Cursor = { t: string; id: string };
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.t !== 'string' || typeof c.id !== 'string' || Number.isNaN(Date.parse(c.t))) throw new Error();
    return c;
  } catch {
    throw new AppError('bad_request', 'cursor: not a cursor this API returned');
  }
}

/** Conversations the actor may see, newest first, keyset-paginated (stable under inserts). */
export async function listConversations(db: DbOrTx, actor: Actor, q: z.output<typeof ZListQuery>) {
  const where: SQL[] = [];
  if (q.number !== undefined) where.push(eq(conversations.number, q.number));
  // A reference names one conversation whatever its status, unless a status is asked for too.
  const status = q.status ?? (q.number !== undefined ? 'all' : 'open');
  if (status === 'open') where.push(inArray(conversations.status, [...OPEN_STATUSES]));
  else if (status !== 'all') where.push(eq(conversations.status, status));
  if (q.tag?.length) where.push(arrayContains(conversations.tags, q.tag), tagged(conversations.tags));
  if (q.queue) where.push(eq(conversations.queueKey, q.queue));
  if (q.channel) where.push(eq(conversations.channel, q.channel));
  if (q.mine) where.push(eq(conversations.assigneeId, actor.id));
  if (q.contactId) where.push(eq(conversations.contactId, q.contactId));
  if (!isSupervisor(actor)) {
    const visible = [eq(conversations.assigneeId, actor.id)];
    if (actor.queues.length) visible.push(inArray(conversations.queueKey, actor.queues));
    where.push(or(...visible)!);
  }
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    const t = new Date(c.t);
    where.push(or(lt(conversations.createdAt, t), and(eq(conversations.createdAt, t), lt(conversations.id, c.id)))!);
  }
  const rows = await db
    .select()
    .from(conversations)
    .where(and(...where))
    .orderBy(desc(conversations.createdAt), desc(conversations.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  const contactRows = page.length
    ? await db
        .select()
        .from(contacts)
        .where(inArray(contacts.id, [...new Set(page.map((r) => r.contactId))]))
    : [];
  const idents = await identitiesOf(
    db,
    contactRows.map((c) => c.id),
  );
  const last = page[page.length - 1];
  return {
    conversations: page.map((r) => {
      const contact = contactRows.find((c) => c.id === r.contactId);
      const identity = idents.find((i) => i.contactId === r.contactId);
      return {
        ...toPublicConversation(r),
        contact: { id: r.contactId, name: contact?.name ?? null, address: identity?.value ?? null },
      };
    }),
    nextCursor: rows.length > q.limit && last ? encodeCursor({ t: last.createdAt.toISOString(), id: last.id }) : null,
  };
}

/** One conversation with its contact (all identities, opt-out state) and its whole timeline. */
export async function getConversation(db: DbOrTx, actor: Actor, id: string) {
  const c = await loadVisibleConversation(db, actor, id);
  const [contact] = await db.select().from(contacts).where(eq(contacts.id, c.contactId));
  const identities = await identitiesOf(db, [c.contactId]);
  // Who holds it, so a desk that is not the owner can say so before anyone tries to reply.
  const [assignee] = c.assigneeId
    ? await db.select({ id: agents.id, name: agents.name }).from(agents).where(eq(agents.id, c.assigneeId))
    : [];
  const timeline = await db
    .select()
    .from(messages)
    .where(eq(messages.conversationId, id))
    .orderBy(asc(messages.createdAt), asc(messages.id));
  return {
    // The satisfaction survey shows here only: lists and pushes would need a join per row for it.
    conversation: {
      ...toPublicConversation(c),
      dispositionLabel: c.disposition ? await dispositionLabel(db, c.disposition, c.queueKey) : null,
      csat: await conversationCsat(db, c.id),
    },
    assignee: assignee ?? null,
    contact: {
      id: c.contactId,
      name: contact?.name ?? null,
      language: contact?.language ?? null,
      createdAt: contact?.createdAt.toISOString(),
      identities: identities.map((i) => ({ kind: i.kind, value: i.value, optedOut: i.optedOutAt !== null })),
    },
    messages: timeline.map(toPublicMessage),
  };
}
