import { and, desc, eq, gte, isNull, notExists, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { conversations, incidentConversations, incidents, messages, type ConversationRow } from '../../db/schema.js';
import { rooms, type Deps } from '../ports.js';
import { BURST_DEFAULTS, burstAround, findBursts, type Burst, type BurstOptions, type RecentText } from './bursts.js';
import { openIncidents } from './open-incidents.js';
import { incidentStems, matchesIncident } from './words.js';

/** Newest texts read (a bound on the work of one check; a flood past it is a burst anyway). */
const SCAN_LIMIT = 1000;
/** Characters of a text read: a mail's first lines say what it is about. */
const TEXT_CHARS = 2000;

/**
 * Recent inbound texts of conversations opened within the window (new contacts are what a burst
 * is made of; `conversations_created_idx` and `messages_conversation_idx` keep this indexed),
 * minus conversations already linked to an open incident and texts that name one: those are
 * declared already.
 */
async function loadRecentTexts(db: DbOrTx, now: Date, opts: BurstOptions): Promise<(RecentText & { messageId: string })[]> {
  const since = new Date(now.getTime() - opts.windowMs);
  const open = await openIncidents(db);
  const rows = await db
    .select({
      messageId: messages.id,
      conversationId: conversations.id,
      number: conversations.number,
      contactId: conversations.contactId,
      queue: conversations.queueKey,
      risk: conversations.risk,
      at: messages.createdAt,
      // What the contact wrote: a call's own description is ours, what the caller said or left is theirs.
      text: sql<string>`left(case when ${messages.channel} = 'voice'
        then coalesce(${messages.metadata}->>'heard', case when ${messages.metadata}->>'kind' = 'transcription' then ${messages.body} end, '')
        else concat_ws(E'\n', ${messages.metadata}->>'subject', ${messages.body}) end, ${TEXT_CHARS})`,
    })
    .from(conversations)
    .innerJoin(messages, and(eq(messages.conversationId, conversations.id), gte(messages.createdAt, since)))
    .where(
      and(
        gte(conversations.createdAt, since),
        eq(messages.direction, 'inbound'),
        isNull(sql`${messages.metadata}->>'control'`),
        notExists(
          db
            .select({ one: sql`1` })
            .from(incidentConversations)
            .innerJoin(incidents, eq(incidents.id, incidentConversations.incidentId))
            .where(and(eq(incidentConversations.conversationId, conversations.id), eq(incidents.status, 'open'))),
        ),
      ),
    )
    .orderBy(desc(messages.createdAt))
    .limit(SCAN_LIMIT);
  const declared = open.map((i) => incidentStems(i.title));
  return rows
    .filter((r) => !declared.some((stems) => matchesIncident(stems, r.text)))
    .map((r) => ({ ...r, riskCategories: r.risk?.categories ?? [] }));
}

/** The groups of similar contacts in the window now (`GET /api/incidents/proposals`: a reloaded banner). */
export async function proposeIncidents(db: DbOrTx, now = new Date(), opts: BurstOptions = BURST_DEFAULTS): Promise<Burst[]> {
  return findBursts(await loadRecentTexts(db, now, opts), now, opts);
}

/**
 * After an inbound text is stored: if it just brought its contact into a group of similar
 * contacts, supervisors are told (`incident.proposed`; each new contact sends the grown group,
 * and a desk keeps one banner per group). Best effort: a failure here never touches the stored message.
 */
export async function proposeOnInbound(
  deps: Deps,
  conversation: ConversationRow,
  messageId: string,
  opts: BurstOptions = BURST_DEFAULTS,
): Promise<void> {
  try {
    const now = new Date();
    const texts = await loadRecentTexts(deps.db, now, opts);
    if (!texts.some((t) => t.messageId === messageId)) return;
    const burst = burstAround(texts, conversation.contactId, now, opts);
    if (!burst) return;
    // Told already: the contact was in a group before this text (a second text adds nobody).
    const before = burstAround(
      texts.filter((t) => t.messageId !== messageId),
      conversation.contactId,
      now,
      opts,
    );
    if (before) return;
    deps.realtime.publish([rooms.supervisors], 'incident.proposed', { proposal: burst });
    // Counts only: the words are the contacts' own.
    deps.log.info({ contacts: burst.contacts, queues: burst.queues }, 'similar contacts: incident proposed');
  } catch (err) {
    deps.log.warn({ err, conversationId: conversation.id }, 'incident proposal check failed');
  }
}
