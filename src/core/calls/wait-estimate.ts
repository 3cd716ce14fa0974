/**
 * A waiting caller's estimate: the queue's recent average wait, per caller
 * ahead of them and for themselves. With no history yet a minute per caller;
 * never less than 30 s per caller.
 */
export function estimateWaitSeconds(callersAhead: number, recentAverageSeconds: number | null): number {
  const perCaller = Math.max(30, recentAverageSeconds ?? 60);
  return Math.round(perCaller * (callersAhead + 1));
}
