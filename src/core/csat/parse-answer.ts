/**
 * Reads a reply to the "reply 1 to 5" survey. Only a reply that is nothing but a score counts
 * (a digit, stars, one of the emoji or rating words below, in English or Spanish); anything else
 * ("1 more question", "bad news about my donation") is a normal message and returns null.
 * Not wired to inbound SMS yet: see docs/reports.md.
 */
const WORDS: Record<string, number> = {
  // English
  terrible: 1,
  awful: 1,
  horrible: 1,
  'very bad': 1,
  'very poor': 1,
  bad: 2,
  poor: 2,
  ok: 3,
  okay: 3,
  average: 3,
  fine: 3,
  'so so': 3,
  meh: 3,
  good: 4,
  'very good': 5,
  great: 5,
  excellent: 5,
  amazing: 5,
  perfect: 5,
  // Spanish
  pésimo: 1,
  pesimo: 1,
  'muy malo': 1,
  malo: 2,
  mala: 2,
  regular: 3,
  normal: 3,
  'más o menos': 3,
  'mas o menos': 3,
  bueno: 4,
  buena: 4,
  bien: 4,
  'muy bueno': 5,
  'muy buena': 5,
  'muy bien': 5,
  excelente: 5,
  genial: 5,
  perfecto: 5,
};

const EMOJI: Record<string, number> = {
  '😡': 1,
  '😠': 1,
  '😞': 2,
  '🙁': 2,
  '☹️': 2,
  '☹': 2,
  '😐': 3,
  '😶': 3,
  '🙂': 4,
  '😊': 4,
  '👍': 4,
  '😀': 5,
  '😃': 5,
  '😄': 5,
  '😍': 5,
  '🤩': 5,
};

export function parseCsatAnswer(text: string): number | null {
  const t = text
    .normalize('NFC')
    .trim()
    .toLowerCase()
    .replace(/[.!¡¿?]+$/u, '')
    .replace(/^[¡¿]+/u, '')
    .trim();
  if (!t) return null;
  const digit = /^([1-5])(?:\s*(?:\/\s*5|stars?|estrellas?|de 5|out of 5))?$/u.exec(t);
  if (digit) return Number(digit[1]);
  const stars = /^(?:⭐|★|\*){1,5}$/u.exec(t.replace(/\s+/g, ''));
  if (stars) return [...t.replace(/\s+/g, '')].filter((c) => c !== '\uFE0F').length;
  if (t in EMOJI) return EMOJI[t];
  const words = t.replace(/\s+/g, ' ').replace(/-/g, ' ');
  if (words in WORDS) return WORDS[words];
  return null;
}
