import { randomUUID } from 'node:crypto';
import { and, eq, inArray, or, sql, type SQLWrapper } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { IDENTITY_FOR_CHANNEL } from '../../core/channel-identity.js';
import {
  contactIdentities,
  contacts,
  keptOptOuts,
  type ConversationRow,
  type IdentityKind,
  type IdentityRow,
  type Language,
} from '../schema.js';

type Identity = { kind: IdentityKind; value: string };

/**
 * The values of a new identity row. Every insert of an identity goes through here: an address
 * whose earlier contact was erased while opted out (kept_opt_outs) starts opted out again.
 */
export function newIdentity(contactId: string, i: Identity) {
  return {
    contactId,
    kind: i.kind,
    value: i.value,
    optedOutAt: keptOptOutAt(i.kind, i.value),
  };
}

/** A new identity's opt-out: the one kept for its address, if any (also for statements that insert identities in SQL). */
export function keptOptOutAt(kind: IdentityKind | SQLWrapper, value: string | SQLWrapper) {
  return sql<Date | null>`(select ${keptOptOuts.optedOutAt} from ${keptOptOuts} where ${keptOptOuts.kind} = ${kind} and ${keptOptOuts.value} = ${value})`;
}

/**
 * Finds the contact owning `identity`, or creates it. Safe under concurrency:
 * the identity's unique key decides the winner, and a losing insert is undone.
 * `alsoKnownAs` joins an existing contact that owns one of those identities.
 */
export async function findOrCreateContact(
  tx: DbOrTx,
  identity: Identity,
  opts: {
    name?: string;
    alsoKnownAs?: Identity[];
    /** The identity as the caller read it already (`claimFindingIdentity`): not read again. */
    found?: { identity: IdentityRow | undefined };
  } = {},
): Promise<{ contactId: string; identity: IdentityRow; created: boolean }> {
  const existing = opts.found
    ? opts.found.identity
    : (
        await tx
          .select()
          .from(contactIdentities)
          .where(and(eq(contactIdentities.kind, identity.kind), eq(contactIdentities.value, identity.value)))
      )[0];
  if (existing) {
    await addIdentities(tx, existing.contactId, opts.alsoKnownAs ?? []);
    return { contactId: existing.contactId, identity: existing, created: false };
  }

  let contactId: string | undefined;
  const aka = opts.alsoKnownAs ?? [];
  if (aka.length > 0) {
    const [known] = await tx
      .select({ contactId: contactIdentities.contactId })
      .from(contactIdentities)
      .where(or(...aka.map((i) => and(eq(contactIdentities.kind, i.kind), eq(contactIdentities.value, i.value)))))
      .limit(1);
    contactId = known?.contactId;
  }
  let created = false;
  let insert: Pick<DbOrTx, 'insert'> = tx;
  if (!contactId) {
    // A new contact is inserted in the same statement as its identity (one round trip, not two).
    contactId = randomUUID();
    created = true;
    insert = tx.with(
      tx
        .$with('new_contact', { id: contacts.id })
        .as(sql`insert into ${contacts} (id, name) values (${contactId}, ${opts.name ?? null}) returning id`),
    );
  }
  // DO UPDATE (a no-op) so RETURNING gives the row even when a concurrent insert won.
  const [row] = await insert
    .insert(contactIdentities)
    .values(newIdentity(contactId, identity))
    .onConflictDoUpdate({
      target: [contactIdentities.kind, contactIdentities.value],
      set: { kind: sql`excluded.kind` },
    })
    .returning();
  if (row.contactId !== contactId && created) {
    await tx.delete(contacts).where(eq(contacts.id, contactId));
    created = false;
  }
  await addIdentities(tx, row.contactId, aka);
  return { contactId: row.contactId, identity: row, created };
}

async function addIdentities(tx: DbOrTx, contactId: string, ids: Identity[]) {
  if (ids.length === 0) return;
  await tx
    .insert(contactIdentities)
    .values(ids.map((i) => newIdentity(contactId, i)))
    .onConflictDoNothing();
}

export async function identitiesOf(tx: DbOrTx, contactIds: string[]) {
  if (contactIds.length === 0) return [];
  return tx.select().from(contactIdentities).where(inArray(contactIdentities.contactId, contactIds));
}

/** The language of the contact who has this address (null: unknown contact, or no language set). */
export async function languageOfAddress(db: DbOrTx, kind: IdentityKind, value: string): Promise<Language | null> {
  const [row] = await db
    .select({ language: contacts.language })
    .from(contactIdentities)
    .innerJoin(contacts, eq(contacts.id, contactIdentities.contactId))
    .where(and(eq(contactIdentities.kind, kind), eq(contactIdentities.value, value)));
  return row?.language ?? null;
}

export async function setOptOut(tx: DbOrTx, kind: IdentityKind, value: string, optedOut: boolean) {
  // START lifts an opt-out kept from an erased contact as well.
  if (!optedOut) await tx.delete(keptOptOuts).where(and(eq(keptOptOuts.kind, kind), eq(keptOptOuts.value, value)));
  await tx
    .update(contactIdentities)
    .set({ optedOutAt: optedOut ? new Date() : null })
    .where(and(eq(contactIdentities.kind, kind), eq(contactIdentities.value, value)));
}

/**
 * The address a conversation's messages go to: the identity it was opened with (a merged contact
 * may have several numbers), else the contact's first identity of the channel's kind.
 */
export async function conversationAddress(
  tx: DbOrTx,
  conversation: Pick<ConversationRow, 'contactId' | 'contactIdentityId' | 'channel'>,
): Promise<IdentityRow | undefined> {
  if (conversation.contactIdentityId) {
    const [own] = await tx.select().from(contactIdentities).where(eq(contactIdentities.id, conversation.contactIdentityId));
    if (own) return own;
  }
  const [first] = await tx
    .select()
    .from(contactIdentities)
    .where(
      and(eq(contactIdentities.contactId, conversation.contactId), eq(contactIdentities.kind, IDENTITY_FOR_CHANNEL[conversation.channel])),
    )
    .orderBy(contactIdentities.createdAt, contactIdentities.id)
    .limit(1);
  return first;
}
