import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { inboundEvents } from '../schema.js';

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
