/** How far back answers count for an estimate, and how many. */
export const ESTIMATE_WINDOW_SECONDS = 3600;
export const ESTIMATE_ANSWERS = 20;

/**
 * A waiting caller's estimate from how fast the queue has been answering
 * callers lately: the average gap between its recent answers, once per caller
 * up to and including this one. A single recent answer gives no rate; then
 * the wait those callers had is used. With no recent answers: null (no
 * estimate is said rather than a made-up one).
 */
export function estimateWaitSeconds(
  callersAhead: number,
  recent: { answeredAt: Date[]; averageWaitSeconds: number | null },
): number | null {
  const times = [...recent.answeredAt].sort((a, b) => a.getTime() - b.getTime());
  if (times.length >= 2) {
    const gap = (times[times.length - 1].getTime() - times[0].getTime()) / 1000 / (times.length - 1);
    return Math.round(Math.max(15, gap) * (callersAhead + 1));
  }
  if (recent.averageWaitSeconds !== null) return Math.round(Math.max(15, recent.averageWaitSeconds) * (callersAhead + 1));
  return null;
}
