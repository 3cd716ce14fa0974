/**
 * "Several similar contacts": spotting, among the texts of the last minutes, a group of different
 * contacts writing about the same thing — the sign of an incident nobody has declared yet (the
 * donation page is down, a rally was moved, a threat is going round). Pure: the caller loads the
 * recent texts and decides whom to tell. A proposal only; a supervisor decides.
 */
import { perStoredText } from './stored-text-memo.js';
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

type Word = { word: string; stem: string };

type Doc = {
  contactId: string;
  stems: Set<string>;
  /** The words kept (those whose stem is in `stems`), every occurrence: the forms a description counts. */
  words: Word[];
  conversations: Map<string, { number: number; queue: string }>;
  firstAt: Date;
  lastAt: Date;
};

/** The window's texts read once (one document per contact), for several `burstAround` / `inGroup` calls over the same texts. */
export type WindowReading = {
  docs: Map<string, Doc>;
  /** Each stem's documents (a document is listed under each of its stems): a contact's possible group mates, without reading every contact. */
  byStem: Map<string, Doc[]>;
  /** Documents that replaced one listed in `byStem` (`readWindowWithout`); a listed document counts only while `docs` still holds it. */
  replaced: Doc[];
  /** The forms contacts wrote of a stem, with how often, counted when a group is described. */
  formsOf: (stem: string) => Map<string, number> | undefined;
};

/**
 * The groups among `texts` (those within the window before `now`): at least `minContacts`
 * different contacts whose texts share two significant words (or a significant word and a
 * violence/emergency risk). Each contact belongs to one group at most; the largest group is
 * found first. Deterministic: ties go to the alphabetically first pair of words.
 */
export function findBursts(texts: RecentText[], now: Date, opts: BurstOptions = BURST_DEFAULTS): Burst[] {
  const reading = readTexts(texts, now, opts);
  const { docs } = reading;

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
    bursts.push(describe(group, reading));
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
  const reading = Array.isArray(texts) ? readTexts(texts, now, opts) : texts;
  const group = groupAround(reading, contactId, opts);
  return group ? describe(group, reading) : null;
}

/** Is the contact in a group (`burstAround` without describing it)? */
export const inGroup = (reading: WindowReading, contactId: string, opts: BurstOptions = BURST_DEFAULTS): boolean =>
  groupAround(reading, contactId, opts) !== null;

/**
 * The group the contact just joined: the one `burstAround(after)` describes, when `before` (the
 * window without the texts just stored) had the contact in no group; null otherwise. Described
 * only then: a contact already told about costs no description.
 */
export function groupJoined(
  after: WindowReading,
  before: WindowReading,
  contactId: string,
  opts: BurstOptions = BURST_DEFAULTS,
): Burst | null {
  const group = groupAround(after, contactId, opts);
  if (!group || inGroup(before, contactId, opts)) return null;
  return describe(group, after);
}

function groupAround(reading: WindowReading, contactId: string, opts: BurstOptions): Doc[] | null {
  const target = reading.docs.get(contactId);
  // A group shares a pair of stems: a contact with one stem is in none.
  if (!target || target.stems.size < 2) return null;
  // At most STEMS_PER_CONTACT stems and two risk kinds: one bit each.
  const own = [...target.stems].sort();
  // The contacts sharing a stem with this one, each with the bits of the stems shared. A stem fewer
  // than `minContacts` contacts wrote makes no pair large enough, and cannot make the largest.
  const shared = new Map<Doc, number>();
  own.forEach((s, bit) => {
    const listed = reading.byStem.get(s) ?? [];
    if (listed.length + reading.replaced.length < opts.minContacts) return;
    for (const d of listed) if (reading.docs.get(d.contactId) === d) shared.set(d, (shared.get(d) ?? 0) | (1 << bit));
    for (const d of reading.replaced) if (d.stems.has(s)) shared.set(d, (shared.get(d) ?? 0) | (1 << bit));
  });
  // Contacts per pair of the contact's stems; the largest pair wins, ties to the alphabetically first.
  const n = own.length;
  const counts = new Int32Array(n * n);
  for (const mask of shared.values()) {
    if ((mask & (mask - 1)) === 0) continue;
    for (let i = 0; i < n; i++) if (mask & (1 << i)) for (let j = i + 1; j < n; j++) if (mask & (1 << j)) counts[i * n + j]++;
  }
  let best = -1;
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      // Two risk kinds alone are not a shared subject.
      if (own[i].startsWith(RISK_PREFIX) && own[j].startsWith(RISK_PREFIX)) continue;
      // Pairs are visited in alphabetical order: only a larger count replaces the best.
      if (best < 0 || counts[i * n + j] > counts[best]) best = i * n + j;
    }
  if (best < 0 || counts[best] < opts.minContacts) return null;
  const both = (1 << Math.floor(best / n)) | (1 << (best % n));
  return [...shared].filter(([, mask]) => (mask & both) === both).map(([d]) => d);
}

export const readWindow = (texts: RecentText[], now: Date, opts: BurstOptions = BURST_DEFAULTS): WindowReading =>
  readTexts(texts, now, opts);

/**
 * The reading of the window without some of its texts (those just stored), for `inGroup`: only
 * the contacts who wrote one of them are read again; every other contact's document is the same
 * either way. Its `formsOf` is the full window's (it describes nothing).
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
  const replaced = [...reading.replaced];
  for (const contactId of changed) {
    const doc = again.docs.get(contactId);
    if (doc) {
      docs.set(contactId, doc);
      replaced.push(doc);
    } else docs.delete(contactId);
  }
  return { docs, byStem: reading.byStem, replaced, formsOf: reading.formsOf };
}

/** The words of a text that may make a group: significant, not chatter, not numbers. */
const wordsOfText = (text: string): Word[] => significantWords(text).filter(({ stem }) => !CHATTER.has(stem) && !/^\d+$/.test(stem));
const wordsOfStored = perStoredText(wordsOfText);
const wordsOf = (t: RecentText): Word[] => (t.messageId === undefined ? wordsOfText(t.text) : wordsOfStored(t.messageId, t.text));

/** One document per contact: the stems of its texts within the window (the first `STEMS_PER_CONTACT`, in the texts' order), and the words kept. */
function readTexts(texts: RecentText[], now: Date, opts: BurstOptions): WindowReading {
  const until = now.getTime();
  const since = until - opts.windowMs;
  const docs = new Map<string, Doc>();
  const byStem = new Map<string, Doc[]>();
  const addStem = (doc: Doc, stem: string) => {
    doc.stems.add(stem);
    const listed = byStem.get(stem);
    if (listed) listed.push(doc);
    else byStem.set(stem, [doc]);
  };
  for (const t of texts) {
    const at = t.at.getTime();
    if (at < since || at > until) continue;
    let doc = docs.get(t.contactId);
    if (!doc)
      docs.set(
        t.contactId,
        (doc = { contactId: t.contactId, stems: new Set(), words: [], conversations: new Map(), firstAt: t.at, lastAt: t.at }),
      );
    doc.conversations.set(t.conversationId, { number: t.number, queue: t.queue });
    if (t.at < doc.firstAt) doc.firstAt = t.at;
    if (t.at > doc.lastAt) doc.lastAt = t.at;
    for (const w of wordsOf(t)) {
      if (!doc.stems.has(w.stem)) {
        if (doc.stems.size >= STEMS_PER_CONTACT) continue;
        addStem(doc, w.stem);
      }
      doc.words.push(w);
    }
    for (const c of t.riskCategories) if (SHARED_RISKS.has(c) && !doc.stems.has(RISK_PREFIX + c)) addStem(doc, RISK_PREFIX + c);
  }
  // Counted for the stems a description shows, from the documents holding each (never a stem's every form up front).
  const forms = new Map<string, Map<string, number> | undefined>();
  const formsOf = (stem: string) => {
    if (forms.has(stem)) return forms.get(stem);
    const counts = new Map<string, number>();
    for (const d of byStem.get(stem) ?? [])
      for (const { word, stem: s } of d.words) if (s === stem) counts.set(word, (counts.get(word) ?? 0) + 1);
    forms.set(stem, counts.size ? counts : undefined);
    return forms.get(stem);
  };
  return { docs, byStem, replaced: [], formsOf };
}

/** The group's shared words (used by half its contacts or more, most shared first) and where it is. */
function describe(group: Doc[], reading: WindowReading): Burst {
  const counts = new Map<string, number>();
  for (const d of group) for (const s of d.stems) counts.set(s, (counts.get(s) ?? 0) + 1);
  const shared = [...counts]
    .filter(([, n]) => n * 2 >= group.length)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([s]) => s);
  const conversations = group.flatMap((d) => [...d.conversations].map(([id, c]) => ({ id, ...c })));
  conversations.sort((a, b) => a.number - b.number);
  return {
    words: shared.filter((s) => !s.startsWith(RISK_PREFIX)).map((s) => commonest(reading.formsOf(s)) ?? s),
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
