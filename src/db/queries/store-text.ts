import { randomUUID } from 'node:crypto';
import { getTableColumns, sql, type Column } from 'drizzle-orm';
import { builtOnce, type Db } from '../client.js';
import { PG, pgErrorOf } from '../errors.js';
import {
  contactIdentities,
  contacts,
  conversations,
  inboundEvents,
  messages,
  type Channel,
  type ConversationRow,
  type IdentityKind,
  type MessageRow,
} from '../schema.js';
import { keptOptOutAt } from './contacts.js';
import { isOpenOnThread, isSenderIdentity } from './inbound-events.js';

/** What `storeText` writes; the caller (src/core/conversations/ingest-inbound.ts) has decided every value. */
export type TextToStore = {
  /** The claim's key (inbound_events). */
  source: string;
  externalId: string;
  from: { kind: IdentityKind; value: string; name?: string };
  /** The conversation to open when the sender has none open on this thread (no contact id: the statement finds or makes it). */
  open: {
    channel: Channel;
    threadKey: string;
    queueKey: string;
    priority: number;
    inboxAddress: string;
    subject: string | null;
    metadata: Record<string, unknown>;
    tags: string[];
  };
  /**
   * The SLA clocks the new conversation starts with (openingClocks), computed in JS from `at`,
   * which is then its created_at: every clock is exactly its target from the row's creation, as
   * in the transaction (there they are computed from the row's created_at after the insert).
   */
  clocks: {
    at: Date;
    firstResponseDueAt?: Date | null;
    firstResponseWarnAt?: Date | null;
    resolutionDueAt?: Date | null;
    resolutionWarnAt?: Date | null;
  };
  /**
   * Opening a conversation needs nothing more than the row (no auto-reply, no incident notice):
   * false sends a sender without an open conversation to the transaction.
   */
  mayOpen: boolean;
  /** Queues timing the next response: an answered conversation there starts that clock in the transaction. */
  nextResponseQueues: string[];
  message: { body: string; media: MessageRow['media']; metadata: Record<string, unknown> };
};

export type StoredText =
  /** The statement wrote nothing: the text needs the transaction (ingest-inbound.ts). */
  | { stored: 'declined' }
  | { stored: 'duplicate' }
  | { stored: 'new'; conversation: ConversationRow; message: MessageRow; opened: boolean; contactId: string };

/**
 * A contact's text stored in ONE statement (one round trip, no begin/commit; issue #15): the
 * delivery claimed, the contact and identity created when the address is new, the conversation
 * opened when none is open on this thread (or its last-message time moved), the message stored.
 *
 * Only when nothing else has to happen: the sender's open conversation needs no request-lifecycle
 * change (not pending or snoozed, no next-response clock to start) and opening one needs nothing
 * more (`mayOpen`). Otherwise nothing is written, not even the claim, and the answer is `declined`.
 *
 * The guarantees of the transaction it stands in for: a redelivery finds the claim and writes
 * nothing (a concurrent one waits on the claim's key, then does the same). A concurrent first
 * text from the same address, or one opening the same conversation, makes this statement fail on
 * the identity's or the open conversation's unique index, undoing all of it (one statement is
 * atomic): that too is `declined`, and the transaction then finds and joins what the other made.
 */
export async function storeText(db: Db, text: TextToStore): Promise<StoredText> {
  const rows = await storeTextStatement(db)
    .execute(params(text))
    .catch((err: unknown) => {
      const pg = pgErrorOf(err);
      if (pg?.code === PG.uniqueViolation && LOST_RACE.has(pg.constraint ?? '')) return null;
      throw err;
    });
  if (!rows) return { stored: 'declined' };
  const [row] = rows;
  if (!row?.simple) return { stored: 'declined' };
  if (!row.claimed) return { stored: 'duplicate' };
  if (!row.conversation || !row.message) throw new Error('storeText: claimed but stored nothing');
  return {
    stored: 'new',
    conversation: row.conversation,
    message: row.message,
    opened: row.opened,
    contactId: row.conversation.contactId,
  };
}

/** Another statement made the contact's identity, or opened their conversation, meanwhile. */
const LOST_RACE = new Set(['contact_identities_kind_value_unique', 'conversations_one_open_per_thread']);

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

function params(t: TextToStore) {
  return {
    source: t.source,
    externalId: t.externalId,
    kind: t.from.kind,
    value: t.from.value,
    name: t.from.name ?? null,
    contactId: randomUUID(),
    channel: t.open.channel,
    threadKey: t.open.threadKey,
    queueKey: t.open.queueKey,
    priority: t.open.priority,
    inboxAddress: t.open.inboxAddress,
    subject: t.open.subject,
    conversationMetadata: JSON.stringify(t.open.metadata),
    tags: t.open.tags,
    createdAt: t.clocks.at.toISOString(),
    firstResponseDueAt: iso(t.clocks.firstResponseDueAt),
    firstResponseWarnAt: iso(t.clocks.firstResponseWarnAt),
    resolutionDueAt: iso(t.clocks.resolutionDueAt),
    resolutionWarnAt: iso(t.clocks.resolutionWarnAt),
    mayOpen: t.mayOpen,
    nextResponseQueues: t.nextResponseQueues,
    body: t.message.body,
    media: JSON.stringify(t.message.media),
    messageMetadata: JSON.stringify(t.message.metadata),
  };
}

const storeTextStatement = builtOnce((db: Db) => {
  const p = (name: keyof ReturnType<typeof params>) => sql.placeholder(name);
  // The sender's identity and open conversation on this thread, as claimFindingSender reads them.
  const sender = db.$with('sender').as(
    db
      .select({
        identityId: sql<string | null>`${contactIdentities.id}`.as('identity_id'),
        contactId: sql<string | null>`${contactIdentities.contactId}`.as('contact_id'),
        openId: sql<string | null>`${conversations.id}`.as('open_id'),
        // The request lifecycle has nothing to do (on-contact-message.ts): a pending or snoozed
        // conversation comes back to its agent, and an answered one may start its next-response clock.
        simple: sql<boolean>`case when ${conversations.id} is null then ${p('mayOpen')}::boolean
          else ${conversations.status} in ('waiting', 'offered', 'assigned')
            and (${conversations.firstReplyAt} is null or ${conversations.nextResponseDueAt} is not null
              or ${conversations.queueKey} <> all(${p('nextResponseQueues')}::text[])) end`.as('simple'),
      })
      .from(sql`(select 1) as one`)
      .leftJoin(contactIdentities, isSenderIdentity({ kind: p('kind'), value: p('value') }))
      .leftJoin(conversations, isOpenOnThread({ channel: p('channel'), threadKey: p('threadKey') }))
      .limit(1),
  );
  const claim = db.$with('claim', { claimed: sql<number>`claimed`.as('claimed') }).as(sql`
    insert into ${inboundEvents} (source, external_id) select ${p('source')}, ${p('externalId')} from sender where simple
    on conflict do nothing returning 1 as claimed`);
  const claimed = sql`exists (select 1 from claim)`;
  const newContact = db.$with('new_contact', { id: sql<string>`id`.as('id') }).as(sql`
    insert into ${contacts} (id, name) select ${p('contactId')}::uuid, ${p('name')} from sender
    where identity_id is null and ${claimed} returning id`);
  const newIdentity = db.$with('new_identity', { id: sql<string>`id`.as('id') }).as(sql`
    insert into ${contactIdentities} (contact_id, kind, value, opted_out_at)
    select id, ${p('kind')}, ${p('value')}, ${keptOptOutAt(p('kind'), p('value'))} from new_contact
    returning id, contact_id`);
  const opened = db.$with('opened', getTableColumns(conversations)).as(sql`
    insert into ${conversations} (contact_id, contact_identity_id, channel, queue_key, priority, inbox_address, thread_key,
      subject, metadata, tags, created_at, first_response_due_at, first_response_warn_at, resolution_due_at, resolution_warn_at)
    select coalesce(s.contact_id, n.contact_id), coalesce(s.identity_id, n.id), ${p('channel')}, ${p('queueKey')},
      ${p('priority')}::int, ${p('inboxAddress')}, ${p('threadKey')}, ${p('subject')}, ${p('conversationMetadata')}::jsonb,
      ${p('tags')}::text[], ${p('createdAt')}::timestamptz, ${p('firstResponseDueAt')}::timestamptz,
      ${p('firstResponseWarnAt')}::timestamptz, ${p('resolutionDueAt')}::timestamptz, ${p('resolutionWarnAt')}::timestamptz
    from sender s left join new_identity n on true
    where s.open_id is null and ${claimed}
    returning *`);
  // A later text moves its conversation's last-message time (as the transaction's insert does).
  const touched = db.$with('touched', getTableColumns(conversations)).as(sql`
    update ${conversations} c set last_message_at = now() from sender s where c.id = s.open_id and ${claimed} returning c.*`);
  const conversation = db
    .$with('conversation', { ...getTableColumns(conversations), opened: sql<boolean>`opened`.as('opened') })
    .as(sql`select *, true as opened from opened union all select *, false from touched`);
  const stored = db.$with('stored', getTableColumns(messages)).as(sql`
    insert into ${messages} (conversation_id, channel, direction, body, external_id, status, media, metadata)
    select id, channel, 'inbound', ${p('body')}, ${p('externalId')}, 'received', ${p('media')}::jsonb, ${p('messageMetadata')}::jsonb
    from conversation returning *`);
  return db
    .with(sender, claim, newContact, newIdentity, opened, touched, conversation, stored)
    .select({
      simple: sender.simple,
      claimed: sql<boolean>`${claimed}`,
      opened: sql<boolean>`coalesce(${conversation.opened}, false)`,
      conversation: fieldsOf(conversation, getTableColumns(conversations)),
      message: fieldsOf(stored, getTableColumns(messages)),
    })
    .from(sender)
    .leftJoin(conversation, sql`true`)
    .leftJoin(stored, sql`true`)
    .prepare('store_text');
});

/** A CTE's columns named like the table's, so the row comes back as the table's row type. */
function fieldsOf<T extends Record<string, Column>>(cte: object, columns: T): T {
  return Object.fromEntries(Object.keys(columns).map((k) => [k, (cte as Record<string, unknown>)[k]])) as T;
}
