import { asc, eq, inArray } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { incidentConversations, type IncidentRow } from '../../db/schema.js';
import type { PublicIncident } from '../ports.js';

export function toPublicIncident(row: IncidentRow, conversationIds: string[]): PublicIncident {
  return {
    id: row.id,
    title: row.title,
    publicMessage: row.publicMessage,
    queues: row.queues,
    status: row.status,
    declaredBy: row.declaredBy,
    declaredAt: row.declaredAt.toISOString(),
    resolvedBy: row.resolvedBy,
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    resolutionMessage: row.resolutionMessage ?? null,
    conversationIds,
  };
}

/** The rows with their linked conversation ids (one query for all of them). */
export async function withLinks(db: DbOrTx, rows: IncidentRow[]): Promise<PublicIncident[]> {
  if (rows.length === 0) return [];
  const links = await db
    .select({ incidentId: incidentConversations.incidentId, conversationId: incidentConversations.conversationId })
    .from(incidentConversations)
    .where(
      inArray(
        incidentConversations.incidentId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(asc(incidentConversations.linkedAt));
  return rows.map((r) =>
    toPublicIncident(
      r,
      links.filter((l) => l.incidentId === r.id).map((l) => l.conversationId),
    ),
  );
}

export async function loadPublicIncident(db: DbOrTx, row: IncidentRow): Promise<PublicIncident> {
  const links = await db
    .select({ conversationId: incidentConversations.conversationId })
    .from(incidentConversations)
    .where(eq(incidentConversations.incidentId, row.id))
    .orderBy(asc(incidentConversations.linkedAt));
  return toPublicIncident(
    row,
    links.map((l) => l.conversationId),
  );
}
