import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import type { ConversationRow } from '../../db/schema.js';
import { rooms, type Deps } from '../ports.js';
import {
  BURST_DEFAULTS,
  findBursts,
  groupJoined,
  readWindow,
  readWindowWithout,
  type Burst,
  type BurstOptions,
  type RecentText,
} from './bursts.js';
import { openIncidents } from './open-incidents.js';
import { perStoredText } from './stored-text-memo.js';
import { incidentStems, matchesIncident, textStems } from './words.js';

/** Newest texts read (a bound on the work of one check; a flood past it is a burst anyway). */
const SCAN_LIMIT = 1000;
/** Characters of a text read: a mail's first lines say what it is about. */
const TEXT_CHARS = 2000;

const stemsOfStored = perStoredText(textStems);

/** A window row as Postgres sends it: the time in epoch milliseconds, a number rather than a string to parse. */
type WindowRow = Omit<RecentText, 'at'> & { messageId: string; atMs: number };

/** Leaves out conversations linked to an open incident (their contacts are declared already). */
const notLinkedToOpenIncident = sql`and not exists (
  select 1 from incident_conversations ic join incidents i on i.id = ic.incident_id
  where ic.conversation_id = c.id and i.status = 'open')`;

/**
 * Recent inbound texts of conversations opened within the window (new contacts are what a burst
 * is made of), newest first: `messages_inbound_created_idx` lets Postgres stop at SCAN_LIMIT rather
 * than read and sort a whole surge's window. Minus conversations already linked to an open incident
 * and texts that name one: those are declared already. With no incident open (the usual case) the
 * statement leaves the link check out rather than probe it for every row (an incident declared
 * since `openIncidents` read is left out at the next check, as its title is). Only the columns a check
 * reads, as plain rows (drizzle's per-cell mapping of a thousand rows cost more client CPU than the
 * statement).
 */
async function loadRecentTexts(db: DbOrTx, now: Date, opts: BurstOptions): Promise<(RecentText & { messageId: string })[]> {
  const since = new Date(now.getTime() - opts.windowMs).toISOString();
  const open = await openIncidents(db);
  const rows = (await db.execute(sql`
    select m.id as "messageId", c.id as "conversationId", c.number, c.contact_id as "contactId", c.queue_key as queue,
      coalesce(c.risk->'categories', '[]') as "riskCategories",
      -- Whole milliseconds, as a timestamp read into a Date has.
      floor(extract(epoch from m.created_at) * 1000)::float8 as "atMs",
      -- What the contact wrote: a call's own description is ours, what the caller said or left is theirs.
      left(case when m.channel = 'voice'
        then coalesce(m.metadata->>'heard', case when m.metadata->>'kind' = 'transcription' then m.body end, '')
        else concat_ws(E'\n', m.metadata->>'subject', m.body) end, ${TEXT_CHARS}) as text
    from conversations c
    join messages m on m.conversation_id = c.id and m.created_at >= ${since}::timestamptz
    where c.created_at >= ${since}::timestamptz
      and m.direction = 'inbound'
      and m.metadata->>'control' is null
      ${open.length > 0 ? notLinkedToOpenIncident : sql``}
    order by m.created_at desc
    limit ${SCAN_LIMIT}`)) as unknown as WindowRow[];
  const declared = open.map((i) => incidentStems(i.title));
  const texts: (RecentText & { messageId: string })[] = [];
  for (const r of rows) {
    // Each text's stems once per process, compared with every open incident.
    if (declared.length > 0) {
      const seen = stemsOfStored(r.messageId, r.text);
      if (declared.some((stems) => matchesIncident(stems, seen))) continue;
    }
    const { messageId, conversationId, number, contactId, queue, riskCategories, text } = r;
    texts.push({ messageId, conversationId, number, contactId, queue, riskCategories, text, at: new Date(r.atMs) });
  }
  return texts;
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
      // Null too when the contact was in a group before these texts: told already (a second text adds nobody).
      const burst = groupJoined(after, before, conversation.contactId, opts);
      if (!burst) continue;
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
