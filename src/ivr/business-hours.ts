import type { BusinessHours } from '../db/schema.js';

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
    day: WEEKDAYS.indexOf(parts.weekday!),
    date: `${parts.year}-${parts.month}-${parts.day}`,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Open at `at`? No hours at all means always open (a queue nobody set hours for),
 * except on the extra holidays (then read in UTC); a holiday (in the hours' time
 * zone) is closed all day.
 */
export function isOpen(hours: BusinessHours | null | undefined, at: Date, extraHolidays: string[] = []): boolean {
  if (!hours) return !extraHolidays.includes(localTime(at, 'UTC').date);
  const t = localTime(at, hours.timezone);
  if ([...(hours.holidays ?? []), ...extraHolidays].includes(t.date)) return false;
  return hours.open.some((w) => w.day === t.day && t.minutes >= toMinutes(w.from) && t.minutes < toMinutes(w.to));
}
