import { z } from 'zod';

/** Longest range one report covers (days): enough for multi-year trends, small enough to answer quickly. */
export const MAX_RANGE_DAYS = 1100;

const ZDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be an ISO date (YYYY-MM-DD)')
  .refine(
    (d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    'not a calendar date',
  );

/** `from` and `to` are calendar days in the organisation's time zone, both included. */
export const ZRange = z
  .object({ from: ZDate, to: ZDate })
  .refine((r) => r.from <= r.to, { message: 'must not be before from', path: ['to'] })
  .refine((r) => daysBetween(r.from, r.to) < MAX_RANGE_DAYS, { message: `a range covers at most ${MAX_RANGE_DAYS} days`, path: ['to'] });

export type DateRange = { from: string; to: string };

export const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** Every day of the range, in order (YYYY-MM-DD). */
export function daysOf(r: DateRange): string[] {
  const start = Date.parse(`${r.from}T00:00:00Z`);
  return Array.from({ length: daysBetween(r.from, r.to) + 1 }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
}
