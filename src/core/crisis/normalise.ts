/**
 * Text → tokens for the crisis matcher: one shape for every language and channel, so a phrase
 * written once matches "I'm gonna k1ll myself!!!", "IM GOING TO KILL MYSELF" and "im going to
 * kill myself" alike. Pure and allocation-light: it runs inside the ingest transaction.
 */

/** Marks the end of a sentence: phrases, gaps and negation never reach across it. */
export const SENTENCE = '.';
/** Marks a clause break (comma, colon, line of its own): phrases and negation stop there too. */
export const CLAUSE = ',';

export const isBoundary = (t: string) => t === SENTENCE || t === CLAUSE;

/**
 * Emoji that carry meaning in a crisis (Crisis Text Line: the pill emoji predicted an active
 * rescue more often than the word "suicide"). Each becomes a word-like token such as `:pill:`.
 */
const EMOJI: Record<string, string> = {
  '💊': ':pill:',
  '🔫': ':gun:',
  '🔪': ':knife:',
  '🗡': ':knife:',
  '💣': ':bomb:',
  '🧨': ':bomb:',
  '🪢': ':rope:',
  '🩸': ':blood:',
  '⚰': ':coffin:',
  '🪦': ':grave:',
  '☠': ':skull:',
  '💀': ':skull:',
  '🚑': ':ambulance:',
  '🔥': ':fire:',
};
const EMOJI_RE = new RegExp(`(${Object.keys(EMOJI).join('|')})\uFE0F?`, 'gu');

/** Texting shorthand and apostrophe-less contractions, written out (after lower-casing and accent folding). */
const SHORTHAND: Record<string, string[]> = {
  im: ['i', 'am'],
  ive: ['i', 'have'],
  dont: ['do', 'not'],
  cant: ['can', 'not'],
  wont: ['will', 'not'],
  didnt: ['did', 'not'],
  doesnt: ['does', 'not'],
  isnt: ['is', 'not'],
  wasnt: ['was', 'not'],
  arent: ['are', 'not'],
  werent: ['were', 'not'],
  havent: ['have', 'not'],
  hasnt: ['has', 'not'],
  wouldnt: ['would', 'not'],
  couldnt: ['could', 'not'],
  shouldnt: ['should', 'not'],
  aint: ['am', 'not'],
  youre: ['you', 'are'],
  theyre: ['they', 'are'],
  gonna: ['going', 'to'],
  gunna: ['going', 'to'],
  wanna: ['want', 'to'],
  gotta: ['got', 'to'],
  tryna: ['trying', 'to'],
  kms: ['kill', 'myself'],
  kmsl: ['kill', 'myself'],
  kys: ['kill', 'yourself'],
  u: ['you'],
  ur: ['your'],
  cuz: ['because'],
  bc: ['because'],
  rn: ['right', 'now'],
  pls: ['please'],
  plz: ['please'],
  od: ['overdose'],
  oding: ['overdosing'],
  oded: ['overdosed'],
  // Spanish texting
  q: ['que'],
  k: ['que'],
  xq: ['porque'],
  pq: ['porque'],
  porq: ['porque'],
  tb: ['tambien'],
  tmb: ['tambien'],
  toy: ['estoy'],
  kiero: ['quiero'],
  kero: ['quiero'],
  qiero: ['quiero'],
  nadien: ['nadie'],
  nomas: ['no', 'mas'],
};

/** Pronoun + 's that read as "is"; any other 's (possessive) is dropped. */
const IS_CONTRACTIONS = /\b(it|that|he|she|there|here|what|who|life|everything|nothing|everyone|everybody|nobody|someone|somebody)'s\b/g;

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i', '|': 'i' };

/** A number, optionally glued to a unit or count marker: 800mg, 2.5g, 30x, x30, 10pm, 3rd. */
const NUMBER_WITH_UNIT = /^x?(\d+(?:[.,]\d+)*)(mg|mcg|g|gr|ml|l|x|k|am|pm|h|hrs?|min|st|nd|rd|th|s|pills?)?$/;

/** Lower case, no accents (á → a, ñ → n), emoji as tokens, typographic apostrophes as plain ones. */
function fold(text: string): string {
  return text
    .replace(EMOJI_RE, (e) => ` ${EMOJI[e.replace('\uFE0F', '')] ?? ''} `)
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[’‘`´ʼ]/g, "'")
    .replace(/ß/g, 'ss');
}

function expandContractions(text: string): string {
  // Every contraction has an apostrophe: most texts need none of the passes below.
  if (!text.includes("'")) return text;
  return text
    .replace(/\bcan't\b/g, 'can not')
    .replace(/\bwon't\b/g, 'will not')
    .replace(/\bain't\b/g, 'am not')
    .replace(/n't\b/g, ' not')
    .replace(/\bi'm\b/g, 'i am')
    .replace(/'re\b/g, ' are')
    .replace(/'ve\b/g, ' have')
    .replace(/'ll\b/g, ' will')
    .replace(/'d\b/g, ' would')
    .replace(IS_CONTRACTIONS, '$1 is')
    .replace(/'s\b/g, '');
}

/**
 * Splits a text into normalised tokens, with `SENTENCE` / `CLAUSE` markers where punctuation
 * ends a thought. Single line breaks are spaces (mail wraps lines mid-sentence); a blank line,
 * `. ! ? ;` end a sentence; `, :` and a line break in the middle of a chunk end a clause.
 * An ellipsis is a pause, not an end ("I want to... die").
 */
export function tokenize(text: string): string[] {
  const folded = expandContractions(
    fold(text)
      .replace(/\r/g, '')
      .replace(/\n\s*\n/g, ' . ')
      .replace(/\n/g, ' ')
      .replace(/(\.\s*){2,}|…/g, ' '),
  );
  const out: string[] = [];
  const push = (t: string) => {
    // Two markers in a row say no more than the stronger one.
    const last = out[out.length - 1];
    if (isBoundary(t) && (out.length === 0 || last === SENTENCE)) return;
    if (t === SENTENCE && last === CLAUSE) out[out.length - 1] = SENTENCE;
    else out.push(t);
  };
  for (const chunk of folded.split(/\s+/)) {
    if (!chunk) continue;
    // Most chunks are a plain word: nothing to peel, no number, no leetspeak.
    if (isPlainWord(chunk)) {
      for (const t of expandShorthand(chunk)) push(t);
      continue;
    }
    if (/^:[a-z]+:$/.test(chunk)) {
      push(chunk);
      continue;
    }
    // Peel punctuation off both ends; what is left inside may be leetspeak (k!ll, $uicide, d1e).
    const m = /^([^a-z0-9$@]*)(.*?)([^a-z0-9]*)$/.exec(chunk)!;
    const [, , core, tail] = m;
    if (core) for (const t of coreTokens(core)) push(t);
    // A chunk of punctuation only ("—", or a paragraph break's ".") is all tail.
    const ending = core ? tail : chunk;
    if (/[.!?;]/.test(ending)) push(SENTENCE);
    else if (/[,:)(\-–—]/.test(ending)) push(CLAUSE);
  }
  while (out.length && isBoundary(out[out.length - 1])) out.pop();
  return joinSplitPronouns(out);
}

function coreTokens(core: string): string[] {
  const num = NUMBER_WITH_UNIT.exec(core);
  if (num) {
    const n = num[1].replace(/,/g, '');
    return num[2] ? [n, num[2].replace(/^pill$/, 'pills')] : [n];
  }
  let word = core;
  if (/[a-z]/.test(word) && /[0-9@$!|]/.test(word)) {
    // Leetspeak only where a symbol sits in a word; trailing "!!!" was already peeled off.
    word = word.replace(/[0-9@$!|]/g, (c) => LEET[c] ?? c);
  }
  return word.split(/[^a-z0-9:]+/).flatMap((part) => (part ? expandShorthand(part) : []));
}

// Own keys only: a word such as "constructor" is no shorthand (it named Object's and threw).
const expandShorthand = (word: string): string[] => (Object.hasOwn(SHORTHAND, word) ? SHORTHAND[word] : [word]);

/** Only the letters a to z (checked without a regular expression: it runs for every word). */
function isPlainWord(chunk: string): boolean {
  for (let i = 0; i < chunk.length; i++) {
    const c = chunk.charCodeAt(i);
    if (c < 97 || c > 122) return false;
  }
  return true;
}

const SPLIT_PRONOUNS: Record<string, string> = {
  my: 'myself',
  your: 'yourself',
  him: 'himself',
  her: 'herself',
  them: 'themselves',
  our: 'ourselves',
};

/** "kill my self", "hurt them selves" → one word, as it is usually written. */
function joinSplitPronouns(tokens: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const joined = Object.hasOwn(SPLIT_PRONOUNS, tokens[i]) ? SPLIT_PRONOUNS[tokens[i]] : undefined;
    if (joined && (tokens[i + 1] === 'self' || tokens[i + 1] === 'selves')) {
      out.push(joined);
      i++;
    } else out.push(tokens[i]);
  }
  return out;
}
