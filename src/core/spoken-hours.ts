import type { BusinessHours, Language } from '../db/schema.js';

/**
 * A queue's weekly business hours as a sentence a caller hears ("Monday to Friday, 9 AM to 5 PM,
 * Eastern Time" / "de lunes a viernes, de 9 a.m. a 5 p.m., hora oriental"), built with `Intl` from
 * the hours an admin set, so the closed message can never disagree with the clock that closed.
 */
const LOCALE: Record<Language, string> = { en: 'en-US', es: 'es-MX' };

const WORDS = {
  en: {
    range: (a: string, b: string) => `${a} to ${b}`,
    and: 'and',
    everyDay: 'every day',
    allDay: 'all day',
    midnight: 'midnight',
    always: 'every day, at any time',
    never: 'no regular opening hours',
  },
  es: {
    range: (a: string, b: string) => `de ${a} a ${b}`,
    and: 'y',
    everyDay: 'todos los días',
    allDay: 'todo el día',
    midnight: 'la medianoche',
    always: 'todos los días, a cualquier hora',
    never: 'sin horario fijo',
  },
} as const;

/** Monday first: the order people say a week in, in both languages. */
const WEEK = [1, 2, 3, 4, 5, 6, 0];

// Text-to-speech reads a plain space best (ICU puts a narrow no-break space before AM/PM).
const plain = (s: string) => s.replace(/[\u202f\u00a0]/g, ' ');

function dayName(day: number, lang: Language): string {
  // 2024-01-07 was a Sunday: day d is 7 + d.
  return plain(new Intl.DateTimeFormat(LOCALE[lang], { weekday: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, 7 + day))));
}

function timeOf(hhmm: string, lang: Language): string {
  if (hhmm === '24:00') return WORDS[lang].midnight;
  const [h, m] = hhmm.split(':').map(Number);
  const at = new Date(Date.UTC(2024, 0, 1, h % 24, m));
  const opts: Intl.DateTimeFormatOptions =
    m === 0 ? { hour: 'numeric', timeZone: 'UTC' } : { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' };
  return plain(new Intl.DateTimeFormat(LOCALE[lang], opts).format(at));
}

/** "Monday to Friday", "Monday, Wednesday and Friday": runs of three or more days become a range. */
function daysPhrase(days: number[], lang: Language): string {
  if (days.length === 7) return WORDS[lang].everyDay;
  const order = days.map((d) => WEEK.indexOf(d)).sort((a, b) => a - b);
  const runs: number[][] = [];
  for (const i of order) {
    const last = runs.at(-1);
    if (last && last.at(-1) === i - 1) last.push(i);
    else runs.push([i]);
  }
  const parts = runs.flatMap((run) =>
    run.length >= 3
      ? [WORDS[lang].range(dayName(WEEK[run[0]], lang), dayName(WEEK[run.at(-1)!], lang))]
      : run.map((i) => dayName(WEEK[i], lang)),
  );
  return new Intl.ListFormat(LOCALE[lang], { type: 'conjunction' }).format(parts);
}

function timeZoneName(timezone: string, lang: Language): string {
  const part = new Intl.DateTimeFormat(LOCALE[lang], { timeZone: timezone, timeZoneName: 'longGeneric' })
    .formatToParts(new Date())
    .find((p) => p.type === 'timeZoneName');
  return part ? plain(part.value) : timezone;
}

/** The hours as a phrase in `lang` (no hours: always open; hours without windows: never open). */
export function spokenHours(hours: BusinessHours | null | undefined, lang: Language): string {
  if (!hours) return WORDS[lang].always;
  if (hours.open.length === 0) return WORDS[lang].never;
  // Days with the same windows are said together.
  const byWindows = new Map<string, { days: number[]; windows: { from: string; to: string }[] }>();
  for (const day of WEEK) {
    const windows = hours.open.filter((w) => w.day === day).sort((a, b) => a.from.localeCompare(b.from));
    if (windows.length === 0) continue;
    const key = windows.map((w) => `${w.from}-${w.to}`).join(',');
    const group = byWindows.get(key) ?? { days: [], windows };
    group.days.push(day);
    byWindows.set(key, group);
  }
  const list = new Intl.ListFormat(LOCALE[lang], { type: 'conjunction' });
  const windowsPhrase = (windows: { from: string; to: string }[]) =>
    windows.length === 1 && windows[0].from === '00:00' && windows[0].to === '24:00'
      ? WORDS[lang].allDay
      : list.format(windows.map((w) => WORDS[lang].range(timeOf(w.from, lang), timeOf(w.to, lang))));
  const groups = [...byWindows.values()].map((g) => `${daysPhrase(g.days, lang)}, ${windowsPhrase(g.windows)}`);
  if (groups.length === 1 && groups[0] === `${WORDS[lang].everyDay}, ${WORDS[lang].allDay}`) return WORDS[lang].always;
  // Groups hold commas of their own: a semicolon between them keeps "which hours go with which days" audible.
  const week = groups.length === 1 ? groups[0] : `${groups.slice(0, -1).join('; ')}; ${WORDS[lang].and} ${groups.at(-1)}`;
  return `${week}, ${timeZoneName(hours.timezone, lang)}`;
}

/** `{hours:<queue>}` in a prompt: that queue's hours, spoken. */
export const HOURS_PLACEHOLDER = /\{hours:([a-z0-9_-]+)\}/g;

/** Fills every `{hours:<queue>}` of `text` with the queue's hours in `lang`. */
export function fillHours(text: string, lang: Language, hoursOf: (queue: string) => BusinessHours | null | undefined): string {
  return text.replace(HOURS_PLACEHOLDER, (_whole, queue: string) => spokenHours(hoursOf(queue), lang));
}
