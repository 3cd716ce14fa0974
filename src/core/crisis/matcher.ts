import { isBoundary, tokenize } from './normalise.js';
import {
  Lexicon,
  matchAt,
  mayMatch,
  parsePhrase,
  readingsAt,
  requiredKeys,
  startKeys,
  type MatchContext,
  type Phrase,
  type RequiredKeys,
  type Span,
} from './phrase.js';

export const RISK_LEVELS = ['high', 'medium'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
export const RISK_CATEGORIES = ['self-harm', 'violence', 'emergency'] as const;
export type RiskCategory = (typeof RISK_CATEGORIES)[number];

/**
 * How much one phrase says on its own. `cue` phrases ("hopeless", "800mg", "gun") never flag
 * a text alone; they raise other hits (see `combine`).
 */
export type TermLevel = RiskLevel | 'cue';
/**
 * `method`: a means (a drug, a poison, a rope, a weapon); `quantity`: a dose or a count
 * ("800mg", "30 pills", "the whole bottle"). Crisis Text Line found words naming a method or
 * plan predicted an active rescue far more often than the word "suicide" itself, so a method
 * next to any other signal is `high`.
 */
export type TermRole = 'statement' | 'method' | 'quantity';

export type Term = {
  phrase: string;
  category: RiskCategory;
  level: TermLevel;
  role?: TermRole;
  /** Shown as the reason instead of the matched words (an admin's term reads as they wrote it). */
  label?: string;
};

/** Everything the matcher knows about one language. */
export type LanguageRules = {
  terms: Term[];
  /** Non-crisis uses of crisis words ("killing it", "dying to meet", "shoot me an email"): a hit inside one is dropped. */
  idioms: string[];
  /** A hit right after one of these (within the clause) is negated: "I would never hurt myself". */
  negators: string[];
  /**
   * A phrase starting with one of these is negative itself, and a negator before it agrees
   * rather than negates: "no tengo nada por qué vivir", "there's no one who would miss me".
   */
  negativeStarts: string[];
  /** Words that end a negation's reach: "I'm not ok and I want to die". */
  negationStops: string[];
  /** Words that may sit inside a phrase without breaking it: "I want to just die". */
  fillers: string[];
};

type CompiledTerm = Term & { parsed: Phrase; language: string; role: TermRole };
type Entry = { parsed: Phrase; required: RequiredKeys; term: CompiledTerm | null };

export type CompiledRules = {
  /** Terms and idioms (term null) by the keys they may start with. */
  starts: ReadonlyMap<string, Entry[]>;
  lexicons: readonly Lexicon[];
  negators: Map<string, ReadonlySet<string>>;
  negativeStarts: Map<string, ReadonlySet<string>>;
  negationStops: Map<string, ReadonlySet<string>>;
  fillers: ReadonlySet<string>;
};

export type Risk = {
  level: RiskLevel;
  categories: RiskCategory[];
  reasons: string[];
  /** Languages of the phrases that matched: a reply can follow the contact's own words. */
  languages: string[];
};

/** How far back (in words, within the clause) a negator reaches. */
const NEGATION_REACH = 3;
/** Long mail bodies are checked up to here; a crisis is stated early, and the ingest transaction stays short. */
export const MAX_CHECKED_CHARS = 20_000;

/** Parses every phrase once; throws `PhraseError` naming the first bad phrase. */
export function compileRules(byLanguage: Record<string, LanguageRules>): CompiledRules {
  const negators = new Map<string, ReadonlySet<string>>();
  const negativeStarts = new Map<string, ReadonlySet<string>>();
  const negationStops = new Map<string, ReadonlySet<string>>();
  const fillers = new Set<string>();
  const entries: Entry[] = [];
  for (const [language, rules] of Object.entries(byLanguage)) {
    entries.push(...rules.terms.map((t) => termEntry(t, language)));
    entries.push(...rules.idioms.map((idiom) => idiomEntry(idiom)));
    negators.set(language, new Set(rules.negators));
    negativeStarts.set(language, new Set(rules.negativeStarts));
    negationStops.set(language, new Set(rules.negationStops));
    for (const f of rules.fillers) fillers.add(f);
  }
  return { ...indexed(new Map(), [], entries), negators, negativeStarts, negationStops, fillers };
}

/**
 * `base` plus more terms (an admin's), without compiling `base` again: its lexicon and index are
 * shared, and only the new phrases are parsed and indexed.
 */
export function extendRules(base: CompiledRules, extra: { language: string; term: Term }[]): CompiledRules {
  if (extra.length === 0) return base;
  return {
    ...base,
    ...indexed(
      base.starts,
      base.lexicons,
      extra.map((e) => termEntry(e.term, e.language)),
    ),
  };
}

function termEntry(t: Term, language: string): Entry {
  const parsed = parsePhrase(t.phrase);
  return { parsed, required: requiredKeys(parsed), term: { ...t, parsed, language, role: t.role ?? 'statement' } };
}

function idiomEntry(idiom: string): Entry {
  const parsed = parsePhrase(idiom);
  return { parsed, required: requiredKeys(parsed), term: null };
}

function indexed(starts: ReadonlyMap<string, Entry[]>, lexicons: readonly Lexicon[], entries: Entry[]) {
  const merged = new Map(starts);
  for (const e of entries) {
    for (const key of startKeys(e.parsed)) merged.set(key, [...(merged.get(key) ?? []), e]);
  }
  const lexicon = new Lexicon(
    entries.flatMap((e) => e.parsed.words),
    entries.flatMap((e) => e.parsed.prefixes),
  );
  return { starts: merged, lexicons: [...lexicons, lexicon] };
}

type Hit = { term: CompiledTerm; span: Span; /** The words matched, as normalised: the reason a person reads. */ words: string };

/**
 * Checks one text against every language's rules (people switch languages mid-message, and the
 * contact's language is often unknown on a first text). Null when nothing counts.
 */
export function detectRisk(text: string, rules: CompiledRules): Risk | null {
  const tokens = tokenize(text.length > MAX_CHECKED_CHARS ? text.slice(0, MAX_CHECKED_CHARS) : text);
  if (tokens.length === 0) return null;
  const ctx: MatchContext = { tokens, fillers: rules.fillers, lexicons: rules.lexicons, memo: new Map() };
  const idiomSpans: Span[] = [];
  const found: { term: CompiledTerm; span: Span }[] = [];
  // Every word's readings first: a phrase needing a word the text holds nowhere is never tried.
  const readings = tokens.map((_, i) => readingsAt(ctx, i));
  const present = new Set<string>();
  for (const r of readings) for (const key of r) present.add(key);
  // Each phrase is tried only where a word it may start with stands; one phrase's matches do not overlap.
  const busyUntil = new Map<Entry, number>();
  for (let i = 0; i < tokens.length; i++) {
    for (const key of readings[i]) {
      for (const entry of rules.starts.get(key) ?? []) {
        if ((busyUntil.get(entry) ?? 0) > i || !mayMatch(entry.required, present)) continue;
        const end = matchAt(ctx, entry.parsed, i);
        if (end < 0) continue;
        busyUntil.set(entry, end);
        if (entry.term) found.push({ term: entry.term, span: { start: i, end } });
        else idiomSpans.push({ start: i, end });
      }
    }
  }
  const hits: Hit[] = [];
  for (const { term, span } of found) {
    // An idiom wins over the crisis words inside it, unless the phrase holds the whole idiom ("suicide prevention hotline").
    if (idiomSpans.some((i) => i.start < span.end && span.start < i.end && (i.start < span.start || i.end > span.end))) continue;
    if (negated(tokens, span.start, term.language, rules)) continue;
    hits.push({ term, span, words: term.label ?? tokens.slice(span.start, span.end).join(' ') });
  }
  return combine(hits);
}

function negated(tokens: string[], start: number, language: string, rules: CompiledRules): boolean {
  if (rules.negativeStarts.get(language)?.has(tokens[start])) return false;
  const negators = rules.negators.get(language);
  const stops = rules.negationStops.get(language);
  let seen = 0;
  for (let i = start - 1; i >= 0 && seen < NEGATION_REACH; i--) {
    const t = tokens[i];
    if (isBoundary(t) || stops?.has(t)) return false;
    if (negators?.has(t)) return true;
    if (!rules.fillers.has(t)) seen++;
  }
  return false;
}

const rank = (l: TermLevel) => (l === 'high' ? 2 : l === 'medium' ? 1 : 0);

/**
 * Hits → one risk. High when a phrase is high on its own, when a method appears with a dose or
 * with any statement elsewhere in the text, or when a medium statement comes with a second,
 * different statement of the same kind. Medium when a medium phrase stands alone, or when two
 * different cues of one kind meet ("goodbye letters" and "I'm ready"). One cue alone says nothing.
 */
function combine(hits: Hit[]): Risk | null {
  if (hits.length === 0) return null;
  const distinct = [...new Map(hits.map((h) => [h.term, h])).values()];
  const apart = (a: Hit, b: Hit) => a.span.end <= b.span.start || b.span.end <= a.span.start;
  // Another statement must stand elsewhere in the text: "I own guns" is one signal, not a gun plus a second one.
  const statementsBesides = (h: Hit) => distinct.filter((o) => o.term !== h.term && o.term.role === 'statement' && apart(o, h));
  let level = 0;
  const categories = new Set<RiskCategory>();
  const counted = new Set<Hit>();
  const count = (h: Hit, category = h.term.category) => {
    counted.add(h);
    categories.add(category);
  };

  for (const h of distinct) {
    if (rank(h.term.level) > 0) {
      level = Math.max(level, rank(h.term.level));
      count(h);
    }
  }
  for (const m of distinct.filter((h) => h.term.role === 'method')) {
    // A dose names the method it doses ("30 pills"), so it may overlap it; two means alone are still only means.
    const doses = distinct.filter((o) => o.term.role === 'quantity' && o.term.category === m.term.category);
    const statements = statementsBesides(m);
    if (doses.length + statements.length === 0) continue;
    level = 2;
    count(m, statements[0]?.term.category ?? m.term.category);
    for (const o of [...doses, ...statements]) count(o);
  }
  for (const h of distinct.filter((x) => x.term.role === 'statement' && x.term.level !== 'high')) {
    const sameKind = statementsBesides(h).filter((o) => o.term.category === h.term.category);
    if (h.term.level === 'medium' && sameKind.length > 0) {
      level = 2;
      for (const o of sameKind) count(o);
    } else if (h.term.level === 'cue' && sameKind.some((o) => o.term.level === 'cue')) {
      level = Math.max(level, 1);
      count(h);
      for (const o of sameKind) count(o);
    }
  }
  if (level === 0) return null;
  const reasons = [...new Set([...counted].sort(byPosition).map((h) => `${h.term.category}: ${h.words}`))];
  const languages = [...new Set([...counted].map((h) => h.term.language))];
  return { level: level === 2 ? 'high' : 'medium', categories: [...categories], reasons, languages };
}

const byPosition = (a: Hit, b: Hit) => a.span.start - b.span.start || rank(b.term.level) - rank(a.term.level);
