import { isBoundary, tokenize } from './normalise.js';

/**
 * Crisis phrases are written in a small pattern language so one line covers the ways people
 * actually write them (built-in lists and admin terms use the same one):
 *
 *   kill myself                words in order (fillers such as "just", "really", "ya" may sit between)
 *   want|wish to die           `|` alternatives for one word
 *   (end my life|kill myself)  parentheses hold alternatives of several words
 *   life|(being alive)         … and may sit among single words
 *   going? to                  `?` makes the word or group before it optional
 *   want to ... die            `...` allows up to 4 other words in between
 *   overdos*                   `*` matches any word starting so (overdose, overdosed, overdosing)
 *   #num mg                    `#num` is any number (800, 2.5, "thirty")
 *   💊                         emoji match themselves
 *
 * Words are normalised like the text (case, accents, contractions), so "don't" and "dont" are one.
 */

export type WordMatcher = { kind: 'word'; word: string; prefix: boolean } | { kind: 'number' };
export type Element = { alts: WordMatcher[][]; optional: boolean; gapBefore: number };
export type Phrase = {
  source: string;
  elements: Element[];
  /** Its whole words and its `*` prefixes, for the lexicon. */
  words: string[];
  prefixes: string[];
};

export const GAP = 4;
export const MAX_PHRASE_CHARS = 600;

export class PhraseError extends Error {}

/** Parses one pattern; throws `PhraseError` with a reason a person can act on. */
export function parsePhrase(source: string): Phrase {
  const text = source.trim();
  if (!text) throw new PhraseError('empty phrase');
  if (text.length > MAX_PHRASE_CHARS) throw new PhraseError(`phrase longer than ${MAX_PHRASE_CHARS} characters`);
  const elements: Element[] = [];
  let gap = 0;
  for (const raw of splitTopLevel(text)) {
    if (raw === '...' || raw === '…') {
      if (elements.length === 0) throw new PhraseError(`"${source}": "..." cannot start a phrase`);
      gap = GAP;
      continue;
    }
    let body = raw;
    const optional = body.endsWith('?');
    if (optional) body = body.slice(0, -1);
    const alts = splitAlternatives(body, source).map((alt) => parseAlt(alt, source));
    if (alts.some((a) => a.length === 0)) throw new PhraseError(`"${source}": an alternative has no words`);
    elements.push({ alts, optional, gapBefore: gap });
    gap = 0;
  }
  if (elements.length === 0) throw new PhraseError(`"${source}" has no words`);
  if (elements[0].optional) throw new PhraseError(`"${source}": the first word cannot be optional`);
  if (elements.every((e) => e.optional)) throw new PhraseError(`"${source}": every word is optional`);
  const all = elements.flatMap((e) => e.alts.flat()).flatMap((w) => (w.kind === 'word' ? [w] : []));
  return {
    source: text,
    elements,
    words: all.filter((w) => !w.prefix).map((w) => w.word),
    prefixes: all.filter((w) => w.prefix).map((w) => w.word),
  };
}

function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) throw new PhraseError(`"${text}": unbalanced ")"`);
    if (/\s/.test(ch) && depth === 0) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (depth !== 0) throw new PhraseError(`"${text}": unbalanced "("`);
  if (cur) out.push(cur);
  return out;
}

/** `a|(b c)|d` → ["a", "b c", "d"]; `(a b|c)` → ["a b", "c"]. */
function splitAlternatives(slot: string, source: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of slot + '|') {
    if (ch === '(') {
      if (depth++ > 0) throw new PhraseError(`"${source}": groups cannot be nested`);
      continue;
    }
    if (ch === ')') {
      depth--;
      continue;
    }
    if (ch === '|') {
      out.push(cur);
      cur = '';
      continue;
    }
    if (depth === 0 && /\s/.test(ch)) throw new PhraseError(`"${source}": put words that belong together in parentheses`);
    cur += ch;
  }
  return out;
}

function parseAlt(alt: string, source: string): WordMatcher[] {
  const out: WordMatcher[] = [];
  for (const piece of alt.trim().split(/\s+/)) {
    if (!piece) continue;
    if (piece === '#num') {
      out.push({ kind: 'number' });
      continue;
    }
    const prefix = piece.endsWith('*');
    const tokens = tokenize(prefix ? piece.slice(0, -1) : piece).filter((t) => !isBoundary(t));
    if (prefix && (tokens.length !== 1 || tokens[0].length < 3)) {
      throw new PhraseError(`"${source}": "*" needs at least three letters before it`);
    }
    for (const [i, word] of tokens.entries()) out.push({ kind: 'word', word, prefix: prefix && i === tokens.length - 1 });
  }
  return out;
}

const NUMBER_WORDS = new Set(
  (
    'two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty sixty hundred dozen ' +
    'dos tres cuatro cinco seis siete ocho nueve diez once doce quince veinte treinta cuarenta cincuenta sesenta cien docena'
  ).split(' '),
);

export const isNumberToken = (t: string) => /^\d+(?:\.\d+)?$/.test(t) || NUMBER_WORDS.has(t);

/**
 * Every word of every phrase, indexed so that a word of a text finds what it may stand for
 * (itself, stretched, misspelled, a prefix) without being compared with all of them: misspellings
 * go through a deletion neighbourhood (two words one edit apart share a one-deletion variant).
 */
export class Lexicon {
  private readonly exact: ReadonlySet<string>;
  private readonly byCollapsed = new Map<string, string[]>();
  private readonly byDeletion = new Map<string, string[]>();
  private readonly prefixes: readonly string[];

  constructor(words: Iterable<string>, prefixes: Iterable<string>) {
    this.exact = new Set(words);
    this.prefixes = [...new Set(prefixes)];
    for (const w of this.exact) {
      push(this.byCollapsed, collapse(w), w);
      if (w.length < 6 || w.startsWith(':')) continue;
      for (const v of deletions(w, maxEdits(w))) push(this.byDeletion, v, w);
    }
  }

  has(word: string): boolean {
    return this.exact.has(word);
  }

  /**
   * Adds the phrase words (and `prefix*` keys) a word of a text may stand for. `known`: the word
   * is a phrase word of some lexicon, so it is never read as a misspelling of another.
   */
  addReadings(token: string, known: boolean, out: Set<string>): void {
    if (this.exact.has(token)) out.add(token);
    if (/(.)\1\1/.test(token)) for (const w of this.byCollapsed.get(collapse(token)) ?? []) out.add(w);
    // "matarte" (kill you) is a word of its own, not a misspelling of "matarme" (kill myself).
    if (!known && token.length >= 5 && !/\d/.test(token)) {
      for (const v of deletions(token, token.length >= 11 ? 2 : 1)) {
        for (const w of this.byDeletion.get(v) ?? []) if (editDistanceAtMost(token, w, maxEdits(w))) out.add(w);
      }
    }
    for (const p of this.prefixes) if (token.startsWith(p)) out.add(`${p}*`);
  }
}

/** Long words forgive two slips, shorter ones one; words under six letters must be exact ("die" vs "did"). */
const maxEdits = (word: string) => (word.length >= 12 ? 2 : 1);

function push(map: Map<string, string[]>, key: string, value: string) {
  const list = map.get(key);
  if (!list) map.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

/** The word and every variant with up to `depth` letters removed. */
function deletions(word: string, depth: number): Set<string> {
  const out = new Set([word]);
  let frontier = [word];
  for (let d = 0; d < depth; d++) {
    const next: string[] = [];
    for (const w of frontier) {
      for (let i = 0; i < w.length; i++) {
        const v = w.slice(0, i) + w.slice(i + 1);
        if (!out.has(v)) {
          out.add(v);
          next.push(v);
        }
      }
    }
    frontier = next;
  }
  return out;
}

/** The keys a phrase may begin with (its first element's first words), as `readingsAt` gives them. */
export function startKeys(phrase: Phrase): string[] {
  return phrase.elements[0].alts.map(([w]) => keyOf(w));
}

/**
 * What a text must hold somewhere for the phrase to match it: for each element that is not
 * optional, the keys of each of its alternatives (all of one alternative's). Order and distance
 * are `matchAt`'s to check; this only rules phrases out cheaply.
 */
export type RequiredKeys = string[][][];

export const requiredKeys = (phrase: Phrase): RequiredKeys =>
  phrase.elements.filter((e) => !e.optional).map((e) => e.alts.map((alt) => alt.map(keyOf)));

/** Does the text hold, among every word's readings (`present`), what the phrase requires? */
export const mayMatch = (required: RequiredKeys, present: ReadonlySet<string>): boolean =>
  required.every((alts) => alts.some((keys) => keys.every((k) => present.has(k))));

const keyOf = (w: WordMatcher) => (w.kind === 'number' ? '#num' : w.prefix ? `${w.word}*` : w.word);

/** The matching context of one text: its tokens, the filler words that may sit inside a phrase, the lexicons. */
export type MatchContext = {
  tokens: string[];
  fillers: ReadonlySet<string>;
  lexicons: readonly Lexicon[];
  /** Readings per distinct word of this text. */
  memo: Map<string, Set<string>>;
};

export type Span = { start: number; end: number };

/** What the word at `pos` may stand for: `Lexicon.readings`, plus `#num` for numbers. */
export function readingsAt(ctx: MatchContext, pos: number): Set<string> {
  const token = ctx.tokens[pos];
  let r = ctx.memo.get(token);
  if (!r) {
    r = new Set<string>();
    if (!isBoundary(token)) {
      const known = ctx.lexicons.some((l) => l.has(token));
      for (const l of ctx.lexicons) l.addReadings(token, known, r);
    }
    if (isNumberToken(token)) r.add('#num');
    ctx.memo.set(token, r);
  }
  return r;
}

/** Where the phrase ends if it starts at `start` (-1: it does not). */
export function matchAt(ctx: MatchContext, phrase: Phrase, start: number): number {
  return matchFrom(ctx, phrase.elements, 0, start, true);
}

function matchFrom(ctx: MatchContext, elements: Element[], index: number, pos: number, first: boolean): number {
  if (index === elements.length) return pos;
  const el = elements[index];
  const { tokens } = ctx;
  // Where this element may begin: right here, or after fillers and (with "...") a few other words.
  let skippedOthers = 0;
  for (let p = pos; p <= tokens.length; p++) {
    if (p > pos) {
      const skipped = tokens[p - 1];
      if (first || isBoundary(skipped)) break;
      if (!ctx.fillers.has(skipped) && ++skippedOthers > el.gapBefore) break;
    }
    if (p < tokens.length) {
      for (const alt of el.alts) {
        const altEnd = matchAlt(ctx, alt, p);
        if (altEnd < 0) continue;
        const end = matchFrom(ctx, elements, index + 1, altEnd, false);
        if (end >= 0) return end;
      }
    }
    if (first) break;
  }
  if (el.optional && !first) return matchFrom(ctx, elements, index + 1, pos, false);
  return -1;
}

function matchAlt(ctx: MatchContext, alt: WordMatcher[], pos: number): number {
  let p = pos;
  for (const w of alt) {
    if (p >= ctx.tokens.length || !readingsAt(ctx, p).has(keyOf(w))) return -1;
    p++;
  }
  return p;
}

const collapse = (s: string) => s.replace(/(.)\1+/g, '$1');

/** Letters people swap for one another by sound: "suiside", "suisidarme", "kiero", "bida". */
const SOUNDS_ALIKE = ['scz', 'bv', 'iy', 'kcq', 'jg'].flatMap((group) => [...group].flatMap((a) => [...group].map((b) => a + b)));
const SOUND_PAIRS = new Set(SOUNDS_ALIKE);

/**
 * Optimal string alignment distance where a swap of neighbours, a missing or an extra letter
 * cost one, a letter replaced by one that sounds alike costs one, and any other replacement two
 * ("mataria" is not a misspelling of "matarla"). Gives up past `max`.
 */
export function editDistanceAtMost(a: string, b: string, max: number): boolean {
  if (Math.abs(a.length - b.length) > max) return false;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const x = a[i - 1];
      const y = b[j - 1];
      const cost = x === y ? 0 : SOUND_PAIRS.has(x + y) ? 1 : 2;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && x === b[j - 2] && a[i - 2] === y) v = Math.min(v, prev2[j - 2] + 1);
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return false;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length] <= max;
}
