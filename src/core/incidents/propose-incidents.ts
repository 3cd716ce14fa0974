import { and, desc, eq, gte, isNull, notExists, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { conversations, incidentConversations, incidents, messages, type ConversationRow } from '../../db/schema.js';
import { rooms, type Deps } from '../ports.js';
import {
  BURST_DEFAULTS,
  burstAround,
  findBursts,
  inGroup,
  readWindow,
  readWindowWithout,
  type Burst,
  type BurstOptions,
  type RecentText,
} from './bursts.js';
import { openIncidents } from './open-incidents.js';
import { incidentStems, matchesIncident, textStems } from './words.js';

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
    .filter((r) => {
      if (declared.length === 0) return true;
      const seen = textStems(r.text); // once per text, not once per open incident
      return !declared.some((stems) => matchesIncident(stems, seen));
    })
    .map((r) => ({ ...r, riskCategories: r.risk?.categories ?? [] }));
}

/** The groups of similar contacts in the window now (`GET /api/incidents/proposals`: a reloaded banner). */
export async function proposeIncidents(db: DbOrTx, now = new Date(), opts: BurstOptions = BURST_DEFAULTS): Promise<Burst[]> {
  return findBursts(await loadRecentTexts(db, now, opts), now, opts);
}

/** A contact's stored text, as the proposal check needs it. */
export type StoredText = { conversation: ConversationRow; messageId: string };

/**
 * After inbound texts are stored: each that just brought its contact into a group of similar
 * contacts tells supervisors (`incident.proposed`; each new contact sends the grown group, and a
 * desk keeps one banner per group). Several texts are checked together (coalesced per process,
 * see after-inbound.ts): the window is read once, "before" is the window without any of them, and
 * a group several of them joined at once is pushed once. Best effort: a failure here never
 * touches the stored messages.
 */
export async function proposeOnInbound(deps: Deps, stored: StoredText[], opts: BurstOptions = BURST_DEFAULTS): Promise<void> {
  try {
    const now = new Date();
    const texts = await loadRecentTexts(deps.db, now, opts);
    const ids = new Set(stored.map((s) => s.messageId));
    const present = new Set(texts.map((t) => t.messageId));
    const checked = stored.filter((s) => present.has(s.messageId));
    if (checked.length === 0) return;
    const after = readWindow(texts, now, opts);
    const before = readWindowWithout(after, texts, ids, now, opts);
    const pushed = new Set<string>();
    for (const { conversation } of checked) {
      const burst = burstAround(after, conversation.contactId, now, opts);
      // Told already: the contact was in a group before these texts (a second text adds nobody).
      if (!burst || inGroup(before, conversation.contactId, opts)) continue;
      const key = burst.conversationIds.join(' ');
      if (pushed.has(key)) continue;
      pushed.add(key);
      deps.realtime.publish([rooms.supervisors], 'incident.proposed', { proposal: burst });
      // Counts only: the words are the contacts' own.
      deps.log.info({ contacts: burst.contacts, queues: burst.queues }, 'similar contacts: incident proposed');
    }
  } catch (err) {
    deps.log.warn({ err, conversationIds: stored.map((s) => s.conversation.id) }, 'incident proposal check failed');
  }
}
