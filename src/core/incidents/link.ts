import { and, eq } from 'drizzle-orm';
import { incidentConversations } from '../../db/schema.js';
import type { Actor } from '../agents/actor.js';
import { recordAudit, type AuditContext } from '../audit/record-audit.js';
import { loadVisibleConversation } from '../conversations/load.js';
import { conflict, notFound } from '../errors.js';
import type { Deps, PublicIncident } from '../ports.js';
import { loadIncident } from './manage-incidents.js';
import { loadPublicIncident } from './public.js';
import { publishIncident } from './publish.js';

/**
 * Links a conversation the agent can see to an open incident (one click in the desk): its contact
 * will hear the resolution. Linking twice changes nothing.
 */
export async function linkConversation(
  deps: Deps,
  actor: Actor,
  incidentId: string,
  conversationId: string,
  audit: AuditContext,
): Promise<PublicIncident> {
  const { incident, added } = await deps.db.transaction(async (tx) => {
    const incident = await loadIncident(tx, incidentId, { forUpdate: true });
    if (incident.status !== 'open') throw conflict('the incident is resolved: conversations can no longer be linked');
    await loadVisibleConversation(tx, actor, conversationId);
    const added = await tx
      .insert(incidentConversations)
      .values({ incidentId, conversationId, linkedBy: actor.id })
      .onConflictDoNothing()
      .returning();
    if (added.length) {
      await recordAudit(tx, {
        actorId: audit.actorId,
        ip: audit.ip,
        action: 'incident.link',
        target: `incident:${incidentId}`,
        details: { conversationId },
      });
    }
    return { incident: await loadPublicIncident(tx, incident), added: added.length > 0 };
  });
  if (added) publishIncident(deps, incident);
  return incident;
}

/** Undoes a link made by mistake, while the incident is open. */
export async function unlinkConversation(
  deps: Deps,
  actor: Actor,
  incidentId: string,
  conversationId: string,
  audit: AuditContext,
): Promise<PublicIncident> {
  const incident = await deps.db.transaction(async (tx) => {
    const incident = await loadIncident(tx, incidentId, { forUpdate: true });
    if (incident.status !== 'open') throw conflict('the incident is resolved');
    await loadVisibleConversation(tx, actor, conversationId);
    const removed = await tx
      .delete(incidentConversations)
      .where(and(eq(incidentConversations.incidentId, incidentId), eq(incidentConversations.conversationId, conversationId)))
      .returning();
    if (!removed.length) throw notFound('link');
    await recordAudit(tx, {
      actorId: audit.actorId,
      ip: audit.ip,
      action: 'incident.unlink',
      target: `incident:${incidentId}`,
      details: { conversationId },
    });
    return loadPublicIncident(tx, incident);
  });
  publishIncident(deps, incident);
  return incident;
}
