import { and, desc, eq, gte, inArray, notExists, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { conversations, incidentConversations, messages, OPEN_STATUSES, type ConversationRow, type IncidentRow } from '../../db/schema.js';
import { canSee, type Actor } from '../agents/actor.js';
import type { Deps } from '../ports.js';
import { audienceOf } from '../conversations/publish.js';
import { loadIncident } from './manage-incidents.js';
import { incidentStems, matchesIncident } from './words.js';

/** Contacts often write before a supervisor declares: texts this long before the declaration count too. */
export const SUGGESTION_LOOKBACK_MS = 2 * 60 * 60 * 1000;
/** Newest inbound texts read per request (a bound on the work, not on the answer's usefulness). */
const SCAN_LIMIT = 2000;
const SNIPPET = 160;

export type Suggestion = {
  conversationId: string;
  number: number;
  channel: string;
  queue: string;
  status: string;
  /** The start of the contact's matching text (shown to agents; never logged). */
  snippet: string;
};

/**
 * Open conversations the caller can see, not linked yet, whose contact wrote something naming the
 * incident (its title's words) since shortly before it was declared: candidates to link.
 */
export async function suggestConversations(db: DbOrTx, actor: Actor, incidentId: string): Promise<Suggestion[]> {
  const incident = await loadIncident(db, incidentId);
  if (incident.status !== 'open') return [];
  const stems = incidentStems(incident.title);
  if (stems.length === 0) return [];
  const since = new Date(incident.declaredAt.getTime() - SUGGESTION_LOOKBACK_MS);
  const rows = await db
    .select({ c: conversations, body: messages.body })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(
      and(
        eq(messages.direction, 'inbound'),
        gte(messages.createdAt, since),
        inArray(conversations.status, [...OPEN_STATUSES]),
        ...(incident.queues.length ? [inArray(conversations.queueKey, incident.queues)] : []),
        notExists(
          db
            .select({ one: sql`1` })
            .from(incidentConversations)
            .where(and(eq(incidentConversations.incidentId, incident.id), eq(incidentConversations.conversationId, conversations.id))),
        ),
      ),
    )
    .orderBy(desc(messages.createdAt))
    .limit(SCAN_LIMIT);
  const found = new Map<string, Suggestion>();
  for (const { c, body } of rows) {
    if (found.has(c.id) || !canSee(actor, c)) continue;
    const text = [c.subject, body].filter(Boolean).join('\n');
    if (!matchesIncident(stems, text)) continue;
    found.set(c.id, {
      conversationId: c.id,
      number: c.number,
      channel: c.channel,
      queue: c.queueKey,
      status: c.status,
      snippet: body.length > SNIPPET ? `${body.slice(0, SNIPPET)}…` : body,
    });
  }
  return [...found.values()];
}

/**
 * After inbound texts are stored: each that names an open incident its conversation is not linked
 * to tells the conversation's audience (`incident.suggested`), so the desk offers the one-click
 * link. Several texts are checked together (coalesced per process, see after-inbound.ts): open
 * incidents are read once. Best effort: a failure here never touches the stored messages.
 */
export async function suggestOnInbound(deps: Deps, stored: { conversation: ConversationRow; text: string }[]): Promise<void> {
  const withText = stored.filter((s) => s.text.trim());
  if (withText.length === 0) return;
  try {
    // This process' copy (admin-cache.ts): a batch of texts reads no incidents row.
    const open = (await deps.adminCache.snapshot()).openIncidentsFor([...new Set(withText.map((s) => s.conversation.queueKey))]);
    if (open.length === 0) return;
    const stems = new Map(open.map((i) => [i.id, incidentStems(i.title)]));
    for (const { conversation, text } of withText) {
      const matching = open.filter(
        (i: IncidentRow) => (i.queues.length === 0 || i.queues.includes(conversation.queueKey)) && matchesIncident(stems.get(i.id)!, text),
      );
      if (matching.length === 0) continue;
      const linked = await deps.db
        .select({ incidentId: incidentConversations.incidentId })
        .from(incidentConversations)
        .where(eq(incidentConversations.conversationId, conversation.id));
      for (const i of matching) {
        if (linked.some((l) => l.incidentId === i.id)) continue;
        deps.realtime.publish(audienceOf(conversation), 'incident.suggested', {
          incidentId: i.id,
          conversationId: conversation.id,
          number: conversation.number,
          queue: conversation.queueKey,
        });
      }
    }
  } catch (err) {
    deps.log.warn({ err, conversationIds: withText.map((s) => s.conversation.id) }, 'incident suggestion check failed');
  }
}
