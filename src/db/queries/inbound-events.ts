import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { contactIdentities, inboundEvents, type IdentityKind, type IdentityRow } from '../schema.js';

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
 * `claimInboundEvent` and the sender's identity in one round trip: `null` when the delivery was
 * handled before, else the identity row (undefined: an address never seen). The identity is read
 * in the claim's snapshot; one committed meanwhile is found by the identity insert's conflict.
 */
export async function claimFindingIdentity(
  tx: DbOrTx,
  source: string,
  externalId: string,
  from: { kind: IdentityKind; value: string },
): Promise<{ identity: IdentityRow | undefined } | null> {
  const claim = tx
    .$with('claim', { claimed: sql<number>`claimed`.as('claimed') })
    .as(
      sql`insert into ${inboundEvents} (source, external_id) values (${source}, ${externalId}) on conflict do nothing returning 1 as claimed`,
    );
  const [row] = await tx
    .with(claim)
    .select({ claimed: sql<boolean>`exists (select 1 from ${claim})`, identity: contactIdentities })
    .from(sql`(select 1) as one`)
    .leftJoin(contactIdentities, and(eq(contactIdentities.kind, from.kind), eq(contactIdentities.value, from.value)));
  return row?.claimed ? { identity: row.identity ?? undefined } : null;
}
