import { CHANNELS, type QueueStats, type TodayReport } from '../../types.js';
import { unit } from '../../format.js';

/** The wallboard's arithmetic, pure so it is unit-tested without a browser (test/web/desk-state.test.ts). */

/** Longest wait now, advancing between server updates. */
export const liveWait = (q: QueueStats, fetchedAt: number, now: number) =>
  q.waiting + q.offered > 0 ? q.longestWaitSeconds + Math.max(0, (now - fetchedAt) / 1000) : 0;
export const breached = (q: QueueStats, wait: number) => q.waiting + q.offered > 0 && wait > q.slaSeconds;

export type Totals = { waiting: number; longest: number; serviceLevel: number | null; abandonRate: number | null; breaches: number };

/** All queues together: waiting now, the longest wait, today's service level and abandon rate, queues over target. */
export function totals(list: QueueStats[], fetchedAt: number, now: number): Totals {
  const t = list.reduce(
    (t, q) => {
      const w = liveWait(q, fetchedAt, now);
      return {
        waiting: t.waiting + q.waiting + q.offered,
        longest: Math.max(t.longest, w),
        answered: t.answered + (q.today?.answered ?? 0),
        inSla: t.inSla + (q.today?.answeredInSla ?? 0),
        abandoned: t.abandoned + (q.today?.abandoned ?? 0),
        breaches: t.breaches + (breached(q, w) ? 1 : 0),
      };
    },
    { waiting: 0, longest: 0, answered: 0, inSla: 0, abandoned: 0, breaches: 0 },
  );
  const finished = t.answered + t.abandoned;
  return {
    waiting: t.waiting,
    longest: t.longest,
    serviceLevel: finished ? (t.inSla / finished) * 100 : null,
    abandonRate: finished ? (t.abandoned / finished) * 100 : null,
    breaches: t.breaches,
  };
}

/** " · 1h" / " · 15m": the rolling window the server's SL and abandon figures cover. */
export function windowLabel(list: QueueStats[]) {
  const ws = list[0]?.window?.seconds;
  return ws ? ` · ${ws % 3600 === 0 ? unit(ws / 3600, 'hour') : unit(Math.round(ws / 60), 'minute')}` : '';
}

/** Hours are the server's; show up to the later of its last busy hour and the local hour. */
export function hoursToShow(report: TodayReport | null, localHour: number) {
  const byHour = report?.byHour ?? [];
  const lastBusy = Math.max(-1, ...byHour.filter((h) => CHANNELS.some((c) => h[c] > 0)).map((h) => h.hour));
  return byHour.filter((h) => h.hour <= Math.max(lastBusy, localHour));
}
