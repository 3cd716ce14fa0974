import { eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { retriedTransaction } from '../../db/retry.js';
import {
  contacts,
  conversations,
  incidentConversations,
  incidents,
  OPEN_STATUSES,
  type ConversationRow,
  type MessageRow,
  type ReservationRow,
} from '../../db/schema.js';
import type { Actor } from '../agents/actor.js';
import { recordAudit, type AuditContext } from '../audit/record-audit.js';
import { publishConversationChange } from '../conversations/publish.js';
import { dispatchSystemMessage, queueSystemMessage } from '../conversations/send-system-message.js';
import { mayAutoResolve } from '../crisis/auto-resolve.js';
import { checkDisposition } from '../content/dispositions.js';
import { conflict } from '../errors.js';
import type { Deps, PublicIncident } from '../ports.js';
import { leavePending } from '../requests/pending-time.js';
import { cancelOfferInTx, lockLiveOffers, publishCanceled } from '../routing/reservations.js';
import { loadIncident, ZLocalized } from './manage-incidents.js';
import { loadPublicIncident } from './public.js';
import { publishIncident } from './publish.js';
import { postIncidentToStaff } from './staff-post.js';
import { textIn } from './open-incidents.js';

/** The disposition linked conversations are closed with, unless the supervisor names another. */
export const INCIDENT_DISPOSITION = 'incident';

export const ZResolveIncident = z
  .object({
    message: ZLocalized.optional(),
    disposition: z.string().trim().min(1).max(64).optional(),
  })
  .strict();

export type IncidentResolution = {
  incident: PublicIncident;
  /** Linked conversations whose contact was sent the message (an opted-out number or a call gets none). */
  told: number;
  /** Linked conversations closed with the disposition. */
  closed: number;
  /** Linked conversations left open: risk-flagged ones (a person closes those) and live calls. */
  keptOpen: string[];
};

/** A voice conversation still waiting, offered or with an agent may be a live call: never closed from here. */
const LIVE_CALL = new Set(['waiting', 'offered', 'assigned']);

/**
 * Resolves an incident (supervisors). In one transaction: the incident closes; every linked contact
 * is sent `message` on its own conversation's channel through the normal send path (opt-outs hold,
 * each contact at most once); the linked open conversations are resolved with the disposition,
 * except risk-flagged ones and live calls. After commit the messages go out, agents' views update,
 * the router runs for the freed capacity, and every banner drops the incident.
 */
export async function resolveIncident(
  deps: Deps,
  actor: Actor,
  id: string,
  input: z.output<typeof ZResolveIncident>,
  audit: AuditContext,
): Promise<IncidentResolution> {
  const disposition = input.disposition ?? INCIDENT_DISPOSITION;
  const done = await retriedTransaction(deps, 'incident resolve', async (tx) => {
    const incident = await loadIncident(tx, id, { forUpdate: true });
    if (incident.status !== 'open') throw conflict('the incident is already resolved');
    const [resolved] = await tx
      .update(incidents)
      .set({ status: 'resolved', resolvedBy: actor.id, resolvedAt: sql`now()`, resolutionMessage: input.message ?? null })
      .where(eq(incidents.id, id))
      .returning();

    // The accept's lock order: the live offers, then the conversations (reservations.ts).
    await lockLiveOffers(
      tx,
      tx.select({ id: incidentConversations.conversationId }).from(incidentConversations).where(eq(incidentConversations.incidentId, id)),
    );
    const linked = await tx
      .select({ c: conversations, notifiedAt: incidentConversations.notifiedAt, language: contacts.language })
      .from(incidentConversations)
      .innerJoin(conversations, eq(conversations.id, incidentConversations.conversationId))
      .innerJoin(contacts, eq(contacts.id, conversations.contactId))
      .where(eq(incidentConversations.incidentId, id))
      .orderBy(conversations.number)
      .for('update', { of: conversations });

    const sent: { conversation: ConversationRow; message: MessageRow }[] = [];
    const closed: ConversationRow[] = [];
    const canceled: ReservationRow[] = [];
    const keptOpen: string[] = [];
    const toldIds: string[] = [];
    for (const { c, notifiedAt, language } of linked) {
      if (input.message && !notifiedAt) {
        const message = await queueSystemMessage(tx, c, {
          body: textIn(input.message, language),
          kind: 'incident',
          metadata: { incidentId: id },
        });
        if (message) {
          sent.push({ conversation: c, message });
          toldIds.push(c.id);
        }
      }
      if (!(OPEN_STATUSES as readonly string[]).includes(c.status)) continue;
      if (!mayAutoResolve(c) || (c.channel === 'voice' && LIVE_CALL.has(c.status))) {
        keptOpen.push(c.id);
        continue;
      }
      // A supervisor's code must be one of the conversation's queue (400 otherwise); the default is the system's own.
      if (input.disposition) await checkDisposition(tx, input.disposition, c.queueKey);
      const offer = await cancelOfferInTx(tx, c.id, 'resolved');
      if (offer) canceled.push(offer);
      const [current] = await tx
        .update(conversations)
        .set({ status: 'resolved', resolvedAt: sql`now()`, disposition, snoozedUntil: null, ...leavePending() })
        .where(eq(conversations.id, c.id))
        .returning();
      closed.push(current);
    }
    if (toldIds.length) {
      await tx
        .update(incidentConversations)
        .set({ notifiedAt: sql`now()` })
        .where(sql`${incidentConversations.incidentId} = ${id} and ${inArray(incidentConversations.conversationId, toldIds)}`);
    }
    await recordAudit(tx, {
      actorId: audit.actorId,
      ip: audit.ip,
      action: 'incident.resolve',
      target: `incident:${id}`,
      details: { linked: linked.length, told: toldIds.length, closed: closed.length, keptOpen: keptOpen.length, disposition },
    });
    return { resolved, sent, closed, canceled, keptOpen, pub: await loadPublicIncident(tx, resolved) };
  });
  // New contacts' auto-replies stop telling of it, in every process (admin-cache.ts).
  deps.adminCache.changed('incidents');

  for (const r of done.canceled) publishCanceled(deps, r, 'resolved');
  for (const c of done.closed) publishConversationChange(deps, c);
  for (const { conversation, message } of done.sent) await dispatchSystemMessage(deps, conversation, message);
  for (const c of done.closed) {
    const sender = deps.channels[c.channel];
    if (sender?.onResolved)
      await sender.onResolved(c).catch((err) => deps.log.warn({ err, conversationId: c.id }, 'resolution notice failed'));
  }
  if (done.closed.length) await deps.jobs.dispatch('incident resolved');
  publishIncident(deps, done.pub);
  deps.log.info(
    { incidentId: id, told: done.sent.length, closed: done.closed.length, keptOpen: done.keptOpen.length },
    'incident resolved',
  );
  await postIncidentToStaff(deps, done.resolved, 'resolved');
  return { incident: done.pub, told: done.sent.length, closed: done.closed.length, keptOpen: done.keptOpen };
}
