/**
 * Which contacts' texts sound like an incident: the title's significant words, compared loosely
 * (case, accents, plurals, word endings), so "Donation page down" suggests "I can't donate, the
 * page shows an error". Pure; a suggestion only, an agent decides whether to link.
 */

/** Words too common to say anything about an incident (English and Spanish). */
const STOPWORDS = new Set(
  (
    'the and for are but not you your our with this that from have has was were will can cant all any out off now ' +
    'today tonight what when where who why how its into onto about after before than then them they their there here ' +
    'los las del por para con una uno unos unas que como esta este estos estas esta son fue hoy muy mas sin sobre ' +
    'entre desde hasta nuestro nuestra pero'
  ).split(' '),
);

const fold = (text: string) =>
  text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '');

/** A word's comparable stem: plural endings off, then its first five letters ("donations" and "donate" → "donat"). */
export function stem(word: string): string {
  const w = word.length <= 3 ? word : /([sxz]|ch|sh)es$/.test(word) ? word.slice(0, -2) : word.replace(/([^s])s$/, '$1');
  return w.slice(0, 5);
}

const wordsOf = (text: string) => fold(text).match(/[\p{L}\p{N}]+/gu) ?? [];

/** A text's significant words (three letters or more, not stopwords), folded, each with its stem, in order. */
export function significantWords(text: string): { word: string; stem: string }[] {
  return wordsOf(text)
    .filter((w) => w.length >= 3 && !STOPWORDS.has(w))
    .map((word) => ({ word, stem: stem(word) }));
}

/** The title's significant stems, without repeats. */
export function incidentStems(title: string): string[] {
  return [...new Set(significantWords(title).map((w) => w.stem))];
}

/** Every word's stem in `text` (for checking one text against several incidents). */
export const textStems = (text: string): Set<string> => new Set(wordsOf(text).map(stem));

/** Does `text` (or its `textStems`) name the incident? Two of its stems (or its only one). */
export function matchesIncident(stems: string[], text: string | Set<string>): boolean {
  if (stems.length === 0) return false;
  const seen = typeof text === 'string' ? textStems(text) : text;
  const hits = stems.filter((s) => seen.has(s)).length;
  return hits >= Math.min(2, stems.length);
}
