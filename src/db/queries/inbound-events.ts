import { and, eq, inArray, or, sql, type SQLWrapper } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import {
  contactIdentities,
  conversations,
  inboundEvents,
  OPEN_STATUSES,
  type Channel,
  type ConversationRow,
  type IdentityKind,
  type IdentityRow,
} from '../schema.js';

/**
 * Claims a webhook delivery. Returns false when it was handled before; a
 * concurrent duplicate blocks on the primary key until the first commits.
 */
export async function claimInboundEvent(tx: DbOrTx, source: string, externalId: string): Promise<boolean> {
  const rows = await tx
    .insert(inboundEvents)
    .values({ source, externalId })
    .onConflictDoNothing()
    .returning({ source: inboundEvents.source });
  return rows.length === 1;
}

export async function saveInboundResponse(tx: DbOrTx, source: string, externalId: string, response: unknown) {
  await tx
    .update(inboundEvents)
    .set({ response })
    .where(and(eq(inboundEvents.source, source), eq(inboundEvents.externalId, externalId)));
}

export async function getInboundResponse(tx: DbOrTx, source: string, externalId: string): Promise<unknown> {
  const [row] = await tx
    .select({ response: inboundEvents.response })
    .from(inboundEvents)
    .where(and(eq(inboundEvents.source, source), eq(inboundEvents.externalId, externalId)));
  return row?.response ?? null;
}

/** Whether a delivery was handled already (a cheap early exit; the claim in the ingest transaction is what guarantees once). */
export async function inboundEventSeen(db: DbOrTx, source: string, externalId: string): Promise<boolean> {
  const [row] = await db
    .select({ source: inboundEvents.source })
    .from(inboundEvents)
    .where(and(eq(inboundEvents.source, source), eq(inboundEvents.externalId, externalId)));
  return Boolean(row);
}

/**
 * `claimInboundEvent`, the sender's identity and their open conversation on `thread` in one round
 * trip: `null` when the delivery was handled before, else the identity row (undefined: an address
 * never seen) and that conversation (undefined: none open; at most one, by
 * `conversations_one_open_per_thread`). Both are read in the claim's snapshot: an identity
 * committed meanwhile is found by the identity insert's conflict, a conversation opened meanwhile
 * by the conversation insert's.
 */
export async function claimFindingSender(
  tx: DbOrTx,
  source: string,
  externalId: string,
  from: { kind: IdentityKind; value: string },
  thread: { channel: Channel; threadKey: string },
): Promise<{ identity: IdentityRow | undefined; open: ConversationRow | undefined } | null> {
  const claim = tx
    .$with('claim', { claimed: sql<number>`claimed`.as('claimed') })
    .as(
      sql`insert into ${inboundEvents} (source, external_id) values (${source}, ${externalId}) on conflict do nothing returning 1 as claimed`,
    );
  const [row] = await tx
    .with(claim)
    .select({ claimed: sql<boolean>`exists (select 1 from ${claim})`, identity: contactIdentities, open: conversations })
    .from(sql`(select 1) as one`)
    .leftJoin(contactIdentities, isSenderIdentity(from))
    .leftJoin(conversations, isOpenOnThread(thread))
    .limit(1);
  return row?.claimed ? { identity: row.identity ?? undefined, open: row.open ?? undefined } : null;
}

/*
 * How claimFindingSender and storeText's statement (store-text.ts) find the sender, so both find
 * the same one: each left joins these onto one row, `(select 1) as one`. The values may be
 * placeholders (a prepared statement).
 */

/** The sender's identity: by kind and address. */
export function isSenderIdentity(from: { kind: IdentityKind | SQLWrapper; value: string | SQLWrapper }) {
  return and(eq(contactIdentities.kind, from.kind), eq(contactIdentities.value, from.value));
}

/** That identity's contact's open conversation on this thread (at most one: `conversations_one_open_per_thread`). */
export function isOpenOnThread(thread: { channel: Channel | SQLWrapper; threadKey: string | SQLWrapper }) {
  return and(
    eq(conversations.contactId, contactIdentities.contactId),
    eq(conversations.channel, thread.channel),
    eq(conversations.threadKey, thread.threadKey),
    inArray(conversations.status, [...OPEN_STATUSES]),
  );
}

/**
 * The ids of the open conversations a text from `from` may join, as a subquery: theirs on `thread`
 * and, when the adapter names one (email threading), that one. For locks taken before the ingest
 * finds its conversation (ingest-inbound.ts).
 */
export function senderOpenConversationIds(
  db: DbOrTx,
  from: { kind: IdentityKind; value: string },
  thread: { channel: Channel; threadKey: string },
  named?: string,
) {
  const onThread = isOpenOnThread(thread);
  const isNamed = (id: string) =>
    and(
      eq(conversations.id, id),
      eq(conversations.contactId, contactIdentities.contactId),
      inArray(conversations.status, [...OPEN_STATUSES]),
    );
  return db
    .select({ id: conversations.id })
    .from(contactIdentities)
    .innerJoin(conversations, named ? or(onThread, isNamed(named)) : onThread)
    .where(isSenderIdentity(from));
}
