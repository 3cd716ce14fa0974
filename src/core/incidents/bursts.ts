/**
 * "Several similar contacts": spotting, among the texts of the last minutes, a group of different
 * contacts writing about the same thing — the sign of an incident nobody has declared yet (the
 * donation page is down, a rally was moved, a threat is going round). Pure: the caller loads the
 * recent texts and decides whom to tell. A proposal only; a supervisor decides.
 */
import { significantWords } from './words.js';

/** One inbound text of the window, with what the crisis matcher found in it (if anything). */
export type RecentText = {
  /** The stored message, when there is one: its words are read once per process (`wordsOf`). */
  messageId?: string;
  conversationId: string;
  number: number;
  contactId: string;
  queue: string;
  at: Date;
  text: string;
  /** The conversation's risk categories (`violence`, `emergency`, …); empty when none. */
  riskCategories: string[];
};

export type BurstOptions = {
  /** Different contacts needed before a group is worth a supervisor's look. */
  minContacts: number;
  /** How far back texts count. */
  windowMs: number;
};

/**
 * Four different contacts within twenty minutes: fewer is an ordinary coincidence on a busy
 * line (three donors asking for receipts), more waits too long for an outage everyone hits.
 */
export const BURST_DEFAULTS: BurstOptions = { minContacts: 4, windowMs: 20 * 60_000 };

export type Burst = {
  /** The words the group shares, most shared first (the contacts' own words: shown to supervisors, never logged). */
  words: string[];
  /** Crisis kinds the group shares (`violence`, `emergency`): the same threat or emergency, worded differently. */
  categories: string[];
  /** Different contacts in the group. */
  contacts: number;
  conversationIds: string[];
  numbers: number[];
  queues: string[];
  firstAt: string;
  lastAt: string;
};

/**
 * Words so common in any message to a help line that sharing them says nothing: greetings,
 * thanks, asking for help (English and Spanish), on top of the incident words' stopwords.
 */
const CHATTER = new Set(
  (
    'hello hey thanks thank please help need want question know like just get got would could should also still ' +
    'really one two yes okay call email text message send sent reply someone anyone something anything time day ' +
    'hola buenas buenos dias tardes gracias favor ayuda ayudar necesito quiero pregunta saber puede puedo tengo ' +
    'tiene alguien algo mensaje correo llamar llamada'
  )
    .split(' ')
    .flatMap((w) => significantWords(w).map((s) => s.stem)),
);
/** Crises shared by several contacts can be one event (a threat going round, an emergency at a rally); self-harm is a person's own. */
const SHARED_RISKS = new Set(['violence', 'emergency']);
/** Stems read per contact: a long mail says many things, and its first words (a subject, a first sentence) say what it is about. */
const STEMS_PER_CONTACT = 20;
const RISK_PREFIX = '#';
/** More groups at once than a supervisor would read (and a bound on the work when texts are noise). */
const MAX_BURSTS = 10;

type Doc = {
  contactId: string;
  stems: Set<string>;
  conversations: Map<string, { number: number; queue: string }>;
  firstAt: Date;
  lastAt: Date;
};

/**
 * The groups among `texts` (those within the window before `now`): at least `minContacts`
 * different contacts whose texts share two significant words (or a significant word and a
 * violence/emergency risk). Each contact belongs to one group at most; the largest group is
 * found first. Deterministic: ties go to the alphabetically first pair of words.
 */
export function findBursts(texts: RecentText[], now: Date, opts: BurstOptions = BURST_DEFAULTS): Burst[] {
  const { docs, surface } = readTexts(texts, now, opts);

  // Only words at least `minContacts` contacts used can make a group; numbered in alphabetical order.
  const df = new Map<string, number>();
  for (const d of docs.values()) for (const s of d.stems) df.set(s, (df.get(s) ?? 0) + 1);
  const names = [...df].filter(([, n]) => n >= opts.minContacts).map(([s]) => s);
  names.sort();
  const number = new Map(names.map((s, i) => [s, i]));
  const isRisk = names.map((s) => s.startsWith(RISK_PREFIX));

  // Every pair of frequent words (as one number), with the contacts using both; counted once, then groups taken out.
  const pairs = new Map<number, Set<Doc>>();
  const pairsOf = new Map<Doc, number[]>();
  for (const d of docs.values()) {
    const f = [...d.stems].flatMap((s) => number.get(s) ?? []).sort((a, b) => a - b);
    const keys: number[] = [];
    for (let i = 0; i < f.length; i++)
      for (let j = i + 1; j < f.length; j++) {
        // Two risk kinds alone are not a shared subject.
        if (isRisk[f[i]] && isRisk[f[j]]) continue;
        const key = f[i] * names.length + f[j];
        keys.push(key);
        const set = pairs.get(key);
        if (set) set.add(d);
        else pairs.set(key, new Set([d]));
      }
    pairsOf.set(d, keys);
  }

  const bursts: Burst[] = [];
  while (bursts.length < MAX_BURSTS) {
    let best: [number, Set<Doc>] | null = null;
    for (const entry of pairs) {
      if (!best || entry[1].size > best[1].size || (entry[1].size === best[1].size && entry[0] < best[0])) best = entry;
    }
    if (!best || best[1].size < opts.minContacts) break;
    const group = [...best[1]];
    bursts.push(describe(group, surface));
    for (const d of group) for (const key of pairsOf.get(d) ?? []) pairs.get(key)?.delete(d);
  }
  return bursts;
}

/**
 * The group a contact is in, looked at from that contact alone (cheap enough for every inbound
 * text): the pair of its words shared with the most other contacts, if that makes `minContacts`.
 * `findBursts` over the same texts may group differently when groups overlap; this one is the hint
 * pushed as a contact arrives, that one the list a supervisor reads.
 */
export function burstAround(
  texts: RecentText[] | WindowReading,
  contactId: string,
  now: Date,
  opts: BurstOptions = BURST_DEFAULTS,
): Burst | null {
  const { docs, surface } = Array.isArray(texts) ? readTexts(texts, now, opts) : texts;
  const group = groupAround(docs, contactId, opts);
  return group ? describe(group, surface) : null;
}

/** Is the contact in a group (`burstAround` without describing it)? */
export const inGroup = (reading: Pick<WindowReading, 'docs'>, contactId: string, opts: BurstOptions = BURST_DEFAULTS): boolean =>
  groupAround(reading.docs, contactId, opts) !== null;

function groupAround(docs: Map<string, Doc>, contactId: string, opts: BurstOptions): Doc[] | null {
  const target = docs.get(contactId);
  if (!target) return null;
  const own = [...target.stems].sort();
  const pairs = new Map<string, Doc[]>();
  for (const d of docs.values()) {
    const shared = own.filter((s) => d.stems.has(s));
    for (let i = 0; i < shared.length; i++)
      for (let j = i + 1; j < shared.length; j++) {
        if (shared[i].startsWith(RISK_PREFIX) && shared[j].startsWith(RISK_PREFIX)) continue;
        const key = `${shared[i]} ${shared[j]}`;
        const list = pairs.get(key);
        if (list) list.push(d);
        else pairs.set(key, [d]);
      }
  }
  let best: [string, Doc[]] | null = null;
  for (const entry of pairs) {
    if (!best || entry[1].length > best[1].length || (entry[1].length === best[1].length && entry[0] < best[0])) best = entry;
  }
  return best && best[1].length >= opts.minContacts ? best[1] : null;
}

/** The window's texts read once (stemmed per contact), for several `burstAround` calls over the same texts. */
export type WindowReading = ReturnType<typeof readTexts>;
export const readWindow = (texts: RecentText[], now: Date, opts: BurstOptions = BURST_DEFAULTS): WindowReading =>
  readTexts(texts, now, opts);

/**
 * The reading of the window without some of its texts (those just stored), for `inGroup`: only
 * the contacts who wrote one of them are read again; every other contact's document is the same
 * either way. Its `surface` is the full window's (it describes nothing).
 */
export function readWindowWithout(
  reading: WindowReading,
  texts: (RecentText & { messageId: string })[],
  without: Set<string>,
  now: Date,
  opts: BurstOptions = BURST_DEFAULTS,
): WindowReading {
  const changed = new Set(texts.filter((t) => without.has(t.messageId)).map((t) => t.contactId));
  if (changed.size === 0) return reading;
  const again = readTexts(
    texts.filter((t) => changed.has(t.contactId) && !without.has(t.messageId)),
    now,
    opts,
  );
  const docs = new Map(reading.docs);
  for (const contactId of changed) {
    const doc = again.docs.get(contactId);
    if (doc) docs.set(contactId, doc);
    else docs.delete(contactId);
  }
  return { docs, surface: reading.surface };
}

/** Stored texts never change their words, and the window rereads the same texts at every check: each is read once. */
const MAX_WORDS_KEPT = 5000;
const wordsKept = new Map<string, { text: string; words: { word: string; stem: string }[] }>();

/** The words of a text that may make a group (significant, not chatter, not numbers), remembered per stored message. */
function wordsOf(t: RecentText): { word: string; stem: string }[] {
  const kept = t.messageId === undefined ? undefined : wordsKept.get(t.messageId);
  // The text is compared too: a cache must never answer for other words than the row's.
  if (kept && kept.text === t.text) return kept.words;
  const words = significantWords(t.text).filter(({ stem }) => !CHATTER.has(stem) && !/^\d+$/.test(stem));
  if (t.messageId !== undefined) {
    // Oldest first out: texts leave the window in the order they arrived.
    if (wordsKept.size >= MAX_WORDS_KEPT) wordsKept.delete(wordsKept.keys().next().value!);
    wordsKept.set(t.messageId, { text: t.text, words });
  }
  return words;
}

/** One document per contact: the stems of its texts within the window, and the forms contacts wrote. */
function readTexts(texts: RecentText[], now: Date, opts: BurstOptions) {
  const since = now.getTime() - opts.windowMs;
  const surface = new Map<string, Map<string, number>>();
  const docs = new Map<string, Doc>();
  for (const t of texts) {
    if (t.at.getTime() < since || t.at.getTime() > now.getTime()) continue;
    let doc = docs.get(t.contactId);
    if (!doc)
      docs.set(t.contactId, (doc = { contactId: t.contactId, stems: new Set(), conversations: new Map(), firstAt: t.at, lastAt: t.at }));
    doc.conversations.set(t.conversationId, { number: t.number, queue: t.queue });
    if (t.at < doc.firstAt) doc.firstAt = t.at;
    if (t.at > doc.lastAt) doc.lastAt = t.at;
    for (const { word, stem } of wordsOf(t)) {
      if (doc.stems.size >= STEMS_PER_CONTACT && !doc.stems.has(stem)) continue;
      doc.stems.add(stem);
      const forms = surface.get(stem) ?? new Map<string, number>();
      forms.set(word, (forms.get(word) ?? 0) + 1);
      surface.set(stem, forms);
    }
    for (const c of t.riskCategories) if (SHARED_RISKS.has(c)) doc.stems.add(RISK_PREFIX + c);
  }
  return { docs, surface };
}

/** The group's shared words (used by half its contacts or more, most shared first) and where it is. */
function describe(group: Doc[], surface: Map<string, Map<string, number>>): Burst {
  const counts = new Map<string, number>();
  for (const d of group) for (const s of d.stems) counts.set(s, (counts.get(s) ?? 0) + 1);
  const shared = [...counts]
    .filter(([, n]) => n * 2 >= group.length)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([s]) => s);
  const conversations = group.flatMap((d) => [...d.conversations].map(([id, c]) => ({ id, ...c })));
  conversations.sort((a, b) => a.number - b.number);
  return {
    words: shared.filter((s) => !s.startsWith(RISK_PREFIX)).map((s) => commonest(surface.get(s)) ?? s),
    categories: shared.filter((s) => s.startsWith(RISK_PREFIX)).map((s) => s.slice(RISK_PREFIX.length)),
    contacts: group.length,
    conversationIds: conversations.map((c) => c.id),
    numbers: conversations.map((c) => c.number),
    queues: [...new Set(conversations.map((c) => c.queue))].sort(),
    firstAt: new Date(Math.min(...group.map((d) => d.firstAt.getTime()))).toISOString(),
    lastAt: new Date(Math.max(...group.map((d) => d.lastAt.getTime()))).toISOString(),
  };
}

/** The form of a word contacts wrote most ("donation" rather than the stem "donat"). */
function commonest(forms: Map<string, number> | undefined): string | undefined {
  if (!forms) return undefined;
  return [...forms].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
}
