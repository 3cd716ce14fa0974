import { z } from 'zod';
import type { BusinessHours } from '../db/schema.js';

/**
 * Business hours, shared by the router (queue figures) and the IVR (open /
 * closed branches): one schema, one clock.
 */
const ZTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be HH:MM');

export const ZBusinessHours = z
  .object({
    timezone: z.string().refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone'),
    open: z.array(
      z
        .object({ day: z.number().int().min(0).max(6), from: ZTime, to: ZTime })
        .strict()
        .refine((o) => o.from < o.to, 'from must be before to'),
    ),
    holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD')).optional(),
  })
  .strict();

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The wall-clock day, date and minute of `at` in a time zone. */
export function localTime(at: Date, timezone: string): { day: number; date: string; minutes: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    day: WEEKDAYS.indexOf(parts.weekday),
    date: `${parts.year}-${parts.month}-${parts.day}`,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Open at `at`? No hours at all means always open (a queue nobody set hours
 * for), except on the extra holidays (then read in UTC); hours with no windows
 * mean closed; a holiday (in the hours' time zone) is closed all day.
 */
export function isOpen(hours: BusinessHours | null | undefined, at: Date, extraHolidays: string[] = []): boolean {
  if (!hours) return !extraHolidays.includes(localTime(at, 'UTC').date);
  const t = localTime(at, hours.timezone);
  if ([...(hours.holidays ?? []), ...extraHolidays].includes(t.date)) return false;
  return hours.open.some((w) => w.day === t.day && t.minutes >= toMinutes(w.from) && t.minutes < toMinutes(w.to));
}
