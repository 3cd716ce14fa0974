import { and, eq, isNotNull } from 'drizzle-orm';
import { contactIdentities, contacts, conversations, keptOptOuts } from '../../db/schema.js';
import type { Tx } from '../../db/client.js';
import { recordAudit, type AuditContext } from '../audit/record-audit.js';
import { notFound } from '../errors.js';
import type { Deps } from '../ports.js';
import { purgeConversations, type PurgeCounts } from './purge-conversations.js';

export type Erasure = PurgeCounts & { identities: number; optOutsKept: number };

/**
 * `DELETE /api/contacts/:id`: everything Switchboard holds about a contact — every conversation
 * with its message bodies, attachments, raw mail and recordings (at Twilio too), the identities
 * (numbers, addresses, Slack ids), the name, notes and attributes. What remains: an audit entry
 * with counts, and the opt-out of a number that texted STOP (kept_opt_outs), which the law asks
 * us to keep honouring. One transaction, the contact row locked first: a message arriving meanwhile
 * waits, then fails its foreign key and is redelivered to a new contact.
 */
export async function eraseContact(deps: Deps, ctx: AuditContext, contactId: string): Promise<Erasure> {
  return deps.db.transaction(async (tx) => {
    const [contact] = await tx.select({ id: contacts.id }).from(contacts).where(eq(contacts.id, contactId)).for('update');
    if (!contact) throw notFound('contact');
    const ids = await tx.select({ id: conversations.id }).from(conversations).where(eq(conversations.contactId, contactId)).for('update');
    const purged = await purgeConversations(
      deps,
      tx,
      ids.map((r) => r.id),
    );
    const optOutsKept = await keepOptOuts(tx, contactId);
    const identities = await tx
      .delete(contactIdentities)
      .where(eq(contactIdentities.contactId, contactId))
      .returning({ id: contactIdentities.id });
    await tx.delete(contacts).where(eq(contacts.id, contactId));
    const erasure = { ...purged, identities: identities.length, optOutsKept };
    await recordAudit(tx, { ...ctx, action: 'contact.erase', target: `contact:${contactId}`, details: erasure });
    deps.log.info({ contactId, ...erasure }, 'contact erased');
    return erasure;
  });
}

/** Opt-outs of the contact's addresses outlive it (see kept_opt_outs in the schema). */
async function keepOptOuts(tx: Tx, contactId: string): Promise<number> {
  const opted = await tx
    .select({ kind: contactIdentities.kind, value: contactIdentities.value, optedOutAt: contactIdentities.optedOutAt })
    .from(contactIdentities)
    .where(and(eq(contactIdentities.contactId, contactId), isNotNull(contactIdentities.optedOutAt)));
  for (const o of opted) {
    await tx
      .insert(keptOptOuts)
      .values({ kind: o.kind, value: o.value, optedOutAt: o.optedOutAt! })
      .onConflictDoUpdate({ target: [keptOptOuts.kind, keptOptOuts.value], set: { optedOutAt: o.optedOutAt! } });
  }
  return opted.length;
}
