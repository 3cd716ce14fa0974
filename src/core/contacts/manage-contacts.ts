import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../../db/client.js';
import { identitiesOf } from '../../db/queries/contacts.js';
import { visibleConversations } from '../../db/queries/visibility.js';
import {
  contactIdentities,
  contacts,
  conversations,
  LANGUAGES,
  OPEN_STATUSES,
  type ContactRow,
  type IdentityRow,
} from '../../db/schema.js';
import { isSupervisor, type Actor } from '../agents/actor.js';
import { recordAudit, type AuditContext } from '../audit/record-audit.js';
import { AppError, notFound } from '../errors.js';
import { toPublicConversation, type Deps } from '../ports.js';

/** Free-form attributes: a donor id, a volunteer role… (short keys, short string values). */
const ZAttributes = z
  .record(
    z
      .string()
      .trim()
      .min(1)
      .max(40)
      .regex(/^[\p{L}\p{N}][\p{L}\p{N} _\-.]*$/u, 'attribute names hold letters, digits, spaces and - _ .'),
    z.string().max(500),
  )
  .refine((a) => Object.keys(a).length <= 30, 'at most 30 attributes');

/** `PATCH /api/contacts/:id`: any of these; `attributes` replaces the whole set. */
export const ZContactPatch = z
  .object({
    name: z.string().trim().max(200).nullable().optional(),
    language: z.enum(LANGUAGES).nullable().optional(),
    notes: z.string().max(10_000).nullable().optional(),
    attributes: ZAttributes.optional(),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'nothing to change: give name, language, notes and/or attributes');

export const ZContactList = z.object({
  /** Fragment of a name, phone number or email address. */
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

export type PublicIdentity = { id: string; kind: IdentityRow['kind']; value: string; optedOut: boolean };
export type PublicContact = {
  id: string;
  name: string | null;
  language: ContactRow['language'];
  notes: string | null;
  attributes: Record<string, string>;
  createdAt: string;
};

const publicContact = (c: ContactRow): PublicContact => ({
  id: c.id,
  name: c.name,
  language: c.language,
  notes: c.notes,
  attributes: c.attributes,
  createdAt: c.createdAt.toISOString(),
});
const publicIdentity = (i: IdentityRow): PublicIdentity => ({ id: i.id, kind: i.kind, value: i.value, optedOut: i.optedOutAt !== null });

/**
 * Which contacts an actor may see: supervisors all; agents those with a conversation they may see
 * (a contact who only ever wrote to the crisis line stays out of the donor team's directory).
 */
function visibleContact(actor: Actor) {
  if (isSupervisor(actor)) return sql`true`;
  return sql`exists (select 1 from conversations where conversations.contact_id = contacts.id and ${visibleConversations(actor)})`;
}

/** Whether the actor may see this contact (the directory's rule; also who an agent may call). */
export async function contactVisibleTo(db: DbOrTx, actor: Actor, contactId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.id, contactId), visibleContact(actor)));
  return Boolean(row);
}

/** `GET /api/contacts?q=`: contacts matching a name, phone or email fragment (pg_trgm indexes), latest first. */
export async function listContacts(db: DbOrTx, actor: Actor, query: z.output<typeof ZContactList>) {
  const q = query.q?.replace(/[%_\\]/g, (ch) => `\\${ch}`);
  // Phone fragments match however they were typed: "(530) 555" finds +15305551234.
  const digits = query.q?.replace(/[^\d]/g, '') ?? '';
  // Each side of the union is served by its own trigram index (an OR across the two tables would scan).
  const match = q
    ? sql`contacts.id in (
        select id from contacts where name ilike ${`%${q}%`}
        union select contact_id from contact_identities where value ilike ${`%${q}%`}
        ${digits.length >= 3 ? sql`union select contact_id from contact_identities where kind = 'phone' and value like ${`%${digits}%`}` : sql``})`
    : sql`true`;
  const rows = await db
    .select()
    .from(contacts)
    .where(and(match, visibleContact(actor)))
    .orderBy(desc(contacts.createdAt), desc(contacts.id))
    .limit(query.limit);
  const identities = await identitiesOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((c) => ({ ...publicContact(c), identities: identities.filter((i) => i.contactId === c.id).map(publicIdentity) }));
}

async function loadVisibleContact(db: DbOrTx, actor: Actor, id: string, opts: { forUpdate?: boolean } = {}): Promise<ContactRow> {
  const base = db
    .select()
    .from(contacts)
    .where(and(eq(contacts.id, id), visibleContact(actor)));
  const [row] = opts.forUpdate ? await base.for('update') : await base;
  if (!row) throw notFound('contact');
  return row;
}

/** `GET /api/contacts/:id`: the contact, every address, and every conversation across channels the actor may see. */
export async function getContact(db: DbOrTx, actor: Actor, id: string) {
  const contact = await loadVisibleContact(db, actor, id);
  const identities = await identitiesOf(db, [id]);
  const history = await db
    .select()
    .from(conversations)
    .where(and(eq(conversations.contactId, id), visibleConversations(actor)))
    .orderBy(desc(conversations.createdAt), desc(conversations.id))
    .limit(200);
  return {
    contact: publicContact(contact),
    identities: identities.map(publicIdentity),
    conversations: history.map(toPublicConversation),
  };
}

export async function updateContact(deps: Deps, actor: Actor, id: string, patch: z.output<typeof ZContactPatch>) {
  await deps.db.transaction(async (tx) => {
    await loadVisibleContact(tx, actor, id, { forUpdate: true });
    await tx.update(contacts).set(patch).where(eq(contacts.id, id));
  });
  return getContact(deps.db, actor, id);
}

/**
 * `POST /api/contacts/:id/merge {contactId}`: the other contact's identities and conversations
 * move to `id`, its name/language fill gaps, its notes are appended and its attributes added (the
 * kept contact's win); then it is deleted. One transaction, both rows locked in id order (two
 * merges of the same pair at once cannot deadlock). Refused when both hold an open conversation
 * on the same thread (one SMS thread per contact): resolve one first.
 */
export async function mergeContacts(deps: Deps, actor: Actor, keepId: string, otherId: string, audit: AuditContext) {
  if (keepId === otherId) throw new AppError('bad_request', 'contactId: cannot merge a contact into itself');
  await deps.db.transaction(async (tx) => {
    const locked = await tx
      .select()
      .from(contacts)
      .where(inArray(contacts.id, [keepId, otherId]))
      .orderBy(contacts.id)
      .for('update');
    const keep = locked.find((c) => c.id === keepId);
    const other = locked.find((c) => c.id === otherId);
    if (!keep || !other) throw notFound('contact');
    // The caller must be allowed to see both.
    await loadVisibleContact(tx, actor, keepId);
    await loadVisibleContact(tx, actor, otherId);
    const clash = (await tx.execute(sql`
      select a.number as a, b.number as b from conversations a join conversations b
        on a.channel = b.channel and a.thread_key = b.thread_key
      where a.contact_id = ${keepId} and b.contact_id = ${otherId}
        and a.status in ${sql.raw(`(${OPEN_STATUSES.map((s) => `'${s}'`).join(', ')})`)}
        and b.status in ${sql.raw(`(${OPEN_STATUSES.map((s) => `'${s}'`).join(', ')})`)}
      limit 1
    `)) as unknown as { a: number; b: number }[];
    if (clash[0]) {
      throw new AppError(
        'conflict',
        `both contacts have an open conversation on the same thread (#${clash[0].a}, #${clash[0].b}): resolve one first`,
      );
    }
    const moved = await tx
      .update(conversations)
      .set({ contactId: keepId })
      .where(eq(conversations.contactId, otherId))
      .returning({ id: conversations.id });
    const identities = await tx
      .update(contactIdentities)
      .set({ contactId: keepId })
      .where(eq(contactIdentities.contactId, otherId))
      .returning({ id: contactIdentities.id });
    await tx
      .update(contacts)
      .set({
        name: keep.name ?? other.name,
        language: keep.language ?? other.language,
        notes: [keep.notes, other.notes].filter((n) => n?.trim()).join('\n\n') || null,
        attributes: { ...other.attributes, ...keep.attributes },
      })
      .where(eq(contacts.id, keepId));
    await tx.delete(contacts).where(eq(contacts.id, otherId));
    await recordAudit(tx, {
      ...audit,
      action: 'contact.merge',
      target: `contact:${keepId}`,
      details: { merged: otherId, conversations: moved.length, identities: identities.length },
    });
  });
  deps.log.info({ contactId: keepId, merged: otherId }, 'contacts merged');
  return getContact(deps.db, actor, keepId);
}

export type SimilarReason = 'email' | 'phone' | 'name';

/** Digits of a phone number without a leading NANP "1": "+1 (530) 555-1234" and "5305551234" agree. */
const phoneKey = (v: string) => v.replace(/\D/g, '').replace(/^1(?=\d{10}$)/, '');
const nameKey = (v: string) =>
  v
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
const like = (v: string) => v.replace(/[%_\\]/g, (ch) => `\\${ch}`);

/**
 * `GET /api/contacts/:id/similar`: other contacts (that the actor may see) who look like this one —
 * the same email ignoring case, the same phone number however written, or the same full name
 * ignoring case and accents — so the desk can offer a merge. Each candidate says why. Lookups go
 * through the trigram indexes (ilike), then the exact normalised comparison is made here.
 */
export async function similarContacts(db: DbOrTx, actor: Actor, id: string) {
  const contact = await loadVisibleContact(db, actor, id);
  const mine = await identitiesOf(db, [id]);
  const reasons = new Map<string, Set<SimilarReason>>();
  const add = (contactId: string, reason: SimilarReason) => {
    if (contactId === id) return;
    reasons.set(contactId, (reasons.get(contactId) ?? new Set()).add(reason));
  };
  for (const i of mine) {
    if (i.kind === 'email') {
      const rows = await db
        .select({ contactId: contactIdentities.contactId, value: contactIdentities.value })
        .from(contactIdentities)
        .where(and(eq(contactIdentities.kind, 'email'), sql`${contactIdentities.value} ilike ${like(i.value.trim())}`))
        .limit(20);
      for (const r of rows) if (r.value.trim().toLowerCase() === i.value.trim().toLowerCase()) add(r.contactId, 'email');
    } else if (i.kind === 'phone' && phoneKey(i.value).length >= 7) {
      const key = phoneKey(i.value);
      // The last four digits are written the same however the rest is ("(530) 555-0199"): the trigram index narrows on them.
      const rows = await db
        .select({ contactId: contactIdentities.contactId, value: contactIdentities.value })
        .from(contactIdentities)
        .where(and(eq(contactIdentities.kind, 'phone'), sql`${contactIdentities.value} like ${`%${key.slice(-4)}`}`))
        .limit(500);
      for (const r of rows) if (phoneKey(r.value) === key) add(r.contactId, 'phone');
    }
  }
  // ilike does not ignore accents: narrow on the longest unaccented run of the name ("María López" → "Mar"/"pez").
  const run = contact.name?.match(/[A-Za-z0-9]+/g)?.sort((a, b) => b.length - a.length)[0];
  if (contact.name && run && run.length >= 3) {
    const rows = await db
      .select({ id: contacts.id, name: contacts.name })
      .from(contacts)
      .where(sql`${contacts.name} ilike ${`%${like(run)}%`}`)
      .limit(500);
    for (const r of rows) if (r.name && nameKey(r.name) === nameKey(contact.name)) add(r.id, 'name');
  }
  if (reasons.size === 0) return [];
  const rows = await db
    .select()
    .from(contacts)
    .where(and(inArray(contacts.id, [...reasons.keys()]), visibleContact(actor)))
    .orderBy(desc(contacts.createdAt))
    .limit(10);
  const identities = await identitiesOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((c) => ({
    ...publicContact(c),
    identities: identities.filter((i) => i.contactId === c.id).map(publicIdentity),
    reasons: [...reasons.get(c.id)!],
  }));
}
