import { describe, expect, it } from 'vitest';
import { addBusinessSeconds, businessSecondsBetween, isOpen } from '../src/core/business-hours.js';
import type { BusinessHours } from '../src/db/schema.js';

// Monday–Friday 09:00–17:00 in Los Angeles (DST from 2026-03-08, back on 2026-11-01), Thanksgiving off.
const office: BusinessHours = {
  timezone: 'America/Los_Angeles',
  open: [1, 2, 3, 4, 5].map((day) => ({ day, from: '09:00', to: '17:00' })),
  holidays: ['2026-11-26'],
};
// Split shifts in Madrid: 09:00–13:00 and 15:00–18:00 weekdays, Saturday morning.
const split: BusinessHours = {
  timezone: 'Europe/Madrid',
  open: [
    ...[1, 2, 3, 4, 5].flatMap((day) => [
      { day, from: '15:00', to: '18:00' },
      { day, from: '09:00', to: '13:00' },
    ]),
    { day: 6, from: '10:00', to: '12:00' },
  ],
};
const h = 3600;

describe('addBusinessSeconds: SLA due times on a business-hours clock', () => {
  const cases: [string, BusinessHours | null, string, number, string | null][] = [
    ['no hours: the wall clock', null, '2026-11-28T23:00:00Z', 2 * h, '2026-11-29T01:00:00.000Z'],
    ['inside hours, same day', office, '2026-11-24T10:00:00-08:00', 2 * h, '2026-11-24T20:00:00.000Z'],
    ['ends exactly at closing', office, '2026-11-24T15:00:00-08:00', 2 * h, '2026-11-25T01:00:00.000Z'],
    ['spills into the next morning', office, '2026-11-24T16:00:00-08:00', 2 * h, '2026-11-25T18:00:00.000Z'],
    ['before opening: the clock starts at 09:00', office, '2026-11-24T06:30:00-08:00', 30 * 60, '2026-11-24T17:30:00.000Z'],
    ['Friday evening: over the weekend to Monday', office, '2026-11-27T18:00:00-08:00', 1 * h, '2026-11-30T18:00:00.000Z'],
    ['the holiday does not count', office, '2026-11-25T16:00:00-08:00', 2 * h, '2026-11-27T18:00:00.000Z'],
    ['across the spring DST change', office, '2026-03-06T16:00:00-08:00', 2 * h, '2026-03-09T17:00:00.000Z'],
    ['a whole working week', office, '2026-11-30T09:00:00-08:00', 40 * h, '2026-12-05T01:00:00.000Z'],
    ['split shift: the lunch gap does not count', split, '2026-11-24T12:00:00+01:00', 2 * h, '2026-11-24T15:00:00.000Z'],
    ['split shift: Saturday morning, then Monday', split, '2026-11-28T11:00:00+01:00', 2 * h, '2026-11-30T09:00:00.000Z'],
    ['zero seconds: now, when open', office, '2026-11-24T10:00:00-08:00', 0, '2026-11-24T18:00:00.000Z'],
    ['hours that never open: no due time', { timezone: 'UTC', open: [] }, '2026-11-24T10:00:00Z', 60, null],
  ];
  it.each(cases)('%s', (_name, hours, start, seconds, due) => {
    expect(addBusinessSeconds(hours, new Date(start), seconds)?.toISOString() ?? null).toBe(due);
  });

  it('agrees with businessSecondsBetween and isOpen', () => {
    for (const [, hours, start, seconds, due] of cases) {
      if (!due || seconds === 0) continue;
      expect(businessSecondsBetween(hours, new Date(start), new Date(due))).toBe(seconds);
      // A due time is inside (or at the closing edge of) an open window.
      expect(isOpen(hours, new Date(new Date(due).getTime() - 1000))).toBe(true);
    }
  });
});

describe('businessSecondsBetween: paused time (pending) on the clock', () => {
  const cases: [string, BusinessHours | null, string, string, number][] = [
    ['no hours', null, '2026-11-24T10:00:00Z', '2026-11-24T12:30:00Z', 2.5 * h],
    ['overnight counts only open time', office, '2026-11-24T16:00:00-08:00', '2026-11-25T10:00:00-08:00', 2 * h],
    ['a weekend counts nothing', office, '2026-11-28T08:00:00-08:00', '2026-11-29T20:00:00-08:00', 0],
    ['backwards is zero', office, '2026-11-25T10:00:00-08:00', '2026-11-24T10:00:00-08:00', 0],
  ];
  it.each(cases)('%s', (_name, hours, from, to, seconds) => {
    expect(businessSecondsBetween(hours, new Date(from), new Date(to))).toBe(seconds);
  });
});
