import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Coalescing of routing triggers (see docs/routing.md, "Throughput").
 *
 * Every trigger (a text stored, an agent freed…) takes the next number of a Redis counter and
 * carries it in its dispatch job. A dispatch that drains the router (its last round found
 * nothing to offer) records the counter's value it read *before* its first round: every
 * trigger up to that number committed its change before that read, so the drain saw it. A job
 * whose number is already covered returns at once without touching Postgres, so a burst of
 * 2,000 triggers costs a handful of routing rounds instead of 2,000 lock holds.
 *
 * Nothing is held while a job runs, so a worker that dies mid-dispatch blocks no later trigger
 * (each later trigger has a higher number than anything recorded); the reconciler stays the
 * safety net for a trigger whose job never reached Redis. Keys sit beside the queue's own, in
 * its hash slot (Redis Cluster).
 */
export function dispatchEpochs(queue: Queue) {
  const counter = queue.toKey('dispatch-epoch');
  const drained = queue.toKey('dispatch-drained');
  // BullMQ's connection is an ioredis client (its type is the narrower IRedisClient).
  const redis = async () => (await queue.client) as unknown as Redis;
  return {
    /** The number a new trigger carries. */
    async next(): Promise<number> {
      return (await redis()).incr(counter);
    },
    /** The newest number handed out so far (read before a drain starts). */
    async current(): Promise<number> {
      return Number((await (await redis()).get(counter)) ?? 0);
    },
    /** Is a trigger with this number already covered by a finished drain? */
    async covered(epoch: number): Promise<boolean> {
      return epoch <= Number((await (await redis()).get(drained)) ?? 0);
    },
    /** A drain that started after `epoch` was handed out found nothing more to offer. */
    async markDrained(epoch: number): Promise<void> {
      await (
        await redis()
      ).eval(
        "if tonumber(ARGV[1]) > tonumber(redis.call('GET', KEYS[1]) or '0') then redis.call('SET', KEYS[1], ARGV[1]) end",
        1,
        drained,
        String(epoch),
      );
    },
  };
}
export type DispatchEpochs = ReturnType<typeof dispatchEpochs>;
