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

/**
 * One formatter per time zone: building an Intl.DateTimeFormat costs far more than formatting with
 * it, and the queue figures ask for every queue's hours each time they are read (a surge: several
 * times a second). Zones come from admins' queue settings, validated, so the map stays small.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** The wall-clock day, date and minute of `at` in a time zone. */
export function localTime(at: Date, timezone: string): { day: number; date: string; minutes: number } {
  const parts = Object.fromEntries(
    formatterFor(timezone)
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

/** The UTC instant of wall-clock `date` (YYYY-MM-DD) + `minutes` in `timezone` (DST-aware: two refinements). */
export function zonedInstant(date: string, minutes: number, timezone: string): number {
  const [y, m, d] = date.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d, 0, minutes);
  let guess = wall;
  for (let i = 0; i < 2; i++) {
    const seen = localTime(new Date(guess), timezone);
    const [sy, sm, sd] = seen.date.split('-').map(Number);
    const seenWall = Date.UTC(sy, sm - 1, sd, 0, seen.minutes);
    guess += wall - seenWall;
  }
  return guess;
}

const nextDate = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
/** How far ahead a clock looks for open time before giving up (hours with no windows never run out). */
const HORIZON_DAYS = 800;

/** Open intervals [from, to) in ms, day by day from the local day of `start`, clipped to start at `start`. */
function* openIntervals(hours: BusinessHours, start: number): Generator<[number, number]> {
  let date = localTime(new Date(start), hours.timezone).date;
  const holidays = new Set(hours.holidays ?? []);
  for (let i = 0; i < HORIZON_DAYS; i++, date = nextDate(date)) {
    if (holidays.has(date)) continue;
    const day = weekday(date);
    const windows = hours.open
      .filter((w) => w.day === day)
      .map((w) => [zonedInstant(date, toMinutes(w.from), hours.timezone), zonedInstant(date, toMinutes(w.to), hours.timezone)] as const)
      .sort((a, b) => a[0] - b[0]);
    for (const [from, to] of windows) {
      if (to <= start) continue;
      yield [Math.max(from, start), to];
    }
  }
}

/**
 * The instant `seconds` of business time after `start` (SLA due times): with no hours the clock is
 * the wall clock; closed time, weekends and holidays do not count. Null when the hours never open.
 */
export function addBusinessSeconds(hours: BusinessHours | null | undefined, start: Date, seconds: number): Date | null {
  if (!hours) return new Date(start.getTime() + seconds * 1000);
  let left = seconds * 1000;
  for (const [from, to] of openIntervals(hours, start.getTime())) {
    if (left <= to - from) return new Date(from + left);
    left -= to - from;
  }
  return null;
}

/** Business seconds between two instants (0 when `to` is not after `from`): time paused on an SLA clock. */
export function businessSecondsBetween(hours: BusinessHours | null | undefined, from: Date, to: Date): number {
  const end = to.getTime();
  if (end <= from.getTime()) return 0;
  if (!hours) return (end - from.getTime()) / 1000;
  let total = 0;
  for (const [a, b] of openIntervals(hours, from.getTime())) {
    if (a >= end) break;
    total += Math.min(b, end) - a;
  }
  return total / 1000;
}
