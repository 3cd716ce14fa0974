import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * How long a queued dispatch job stands for later triggers before they queue another. It
 * bounds the wait when the worker that took the job died before starting it (BullMQ notices a
 * stalled job only after 30 s); the reconciler runs every few seconds anyway.
 */
export const QUEUED_DISPATCH_TTL_MS = 1_000;

/**
 * Coalescing of routing triggers (see docs/routing.md, "Throughput").
 *
 * Every trigger (a text stored, an agent freed…) takes the next number of a Redis counter. It
 * queues a dispatch job only when no queued job has yet to start (the `dispatch-queued` flag):
 * a job that has not started will read Postgres after the trigger committed, so it covers it.
 * A job clears the flag as it starts, in the same script that reads the counter: triggers
 * after that moment queue a job of their own, so nothing that commits while a drain runs is
 * missed. A burst of 2,000 texts becomes a handful of dispatch jobs instead of 2,000.
 *
 * A dispatch that drains the router (its last round found nothing to offer) records the
 * counter's value it read as it started: every trigger up to that number committed its change
 * before that read, so the drain saw it. A job that starts when every number handed out is
 * already covered returns without touching Postgres.
 *
 * Nothing is held while a job runs, so a worker that dies mid-dispatch blocks no later trigger
 * (its flag was cleared as it started; a worker that dies before starting holds the flag at
 * most QUEUED_DISPATCH_TTL_MS). The reconciler stays the safety net for a trigger whose job
 * never reached Redis. Keys sit beside the queue's own, in its hash slot (Redis Cluster).
 */
export function dispatchEpochs(queue: Queue, opts: { queuedTtlMs?: number; client?: Redis } = {}) {
  const queuedTtlMs = opts.queuedTtlMs ?? QUEUED_DISPATCH_TTL_MS;
  const counter = queue.toKey('dispatch-epoch');
  const drained = queue.toKey('dispatch-drained');
  const queued = queue.toKey('dispatch-queued');
  // `client`: a connection of the caller's (an auto-pipelined one lets a text's trigger share
  // the write of its events); otherwise BullMQ's, an ioredis client typed as the narrower IRedisClient.
  const redis = async () => opts.client ?? ((await queue.client) as unknown as Redis);
  return {
    /**
     * A trigger: its number, and whether it must queue a dispatch job (no queued job is
     * waiting to start). One round trip.
     */
    async trigger(): Promise<{ epoch: number; enqueue: boolean }> {
      const [epoch, set] = (await (
        await redis()
      ).eval(
        "local e = redis.call('INCR', KEYS[1]) local s = redis.call('SET', KEYS[2], e, 'NX', 'PX', ARGV[1]) return {e, s and 1 or 0}",
        2,
        counter,
        queued,
        String(queuedTtlMs),
      )) as [number, number];
      return { epoch, enqueue: set === 1 };
    },
    /**
     * A dispatch job starts: later triggers must queue their own job. Returns the newest number
     * handed out (what a drain starting now covers), or null when a finished drain already
     * covers every number handed out, so there is nothing to do.
     */
    async begin(): Promise<number | null> {
      const seen = (await (
        await redis()
      ).eval(
        "redis.call('DEL', KEYS[3]) local c = tonumber(redis.call('GET', KEYS[1]) or '0') if c <= tonumber(redis.call('GET', KEYS[2]) or '0') then return -1 end return c",
        3,
        counter,
        drained,
        queued,
      )) as number;
      return seen < 0 ? null : seen;
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
