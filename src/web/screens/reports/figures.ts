import type { ReportGroupBy, ReportRow } from '../../types.js';
import { waitLabel } from '../../format.js';

/** How the screen writes a report's figures; the e2e test writes the API's values the same way. */
export const count = (n: number, lang: string) => new Intl.NumberFormat(lang).format(n);
export const pct = (n: number | null, lang: string) =>
  n === null ? '—' : `${new Intl.NumberFormat(lang, { maximumFractionDigits: 1 }).format(n)}%`;
export const seconds = (n: number | null) => (n === null ? '—' : waitLabel(n));
export const score = (n: number | null, lang: string) =>
  n === null ? '—' : new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n);

/** A day key (YYYY-MM-DD, a calendar day) written for people; formatted in UTC so it never shifts a day. */
export const dayLabel = (day: string, lang: string) =>
  new Intl.DateTimeFormat(lang, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));

/** The row's name on screen: labels for queues, agents and codes; days and hours written out. */
export function rowName(row: ReportRow, groupBy: ReportGroupBy, lang: string, none: string, channelName: (c: string) => string): string {
  if (row.key === null) return none;
  if (groupBy === 'channel') return channelName(String(row.key));
  if (groupBy === 'day') return dayLabel(String(row.key), lang);
  if (groupBy === 'hour') return `${String(row.key).padStart(2, '0')}:00`;
  return row.label ?? String(row.key);
}

/** The API filter that narrows to one row's conversations (the drill-down). */
export function rowFilter(row: ReportRow, groupBy: ReportGroupBy): Record<string, string> {
  switch (groupBy) {
    case 'day':
      return { from: String(row.key), to: String(row.key) };
    case 'hour':
      return { hour: String(row.key) };
    case 'queue':
      return { queue: String(row.key) };
    case 'channel':
      return { channel: String(row.key) };
    case 'agent':
      return { agentId: row.key === null ? 'none' : String(row.key) };
    case 'disposition':
      return { disposition: row.key === null ? 'none' : String(row.key) };
  }
}
