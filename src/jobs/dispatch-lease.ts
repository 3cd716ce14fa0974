import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

/** How long the lease lasts unless renewed: a follower takes over at most this long after its holder died. */
export const DISPATCH_LEASE_MS = 1_500;
/** How often the holder renews it, and how often a follower asks for it. */
const RENEW_EVERY_MS = 500;

/** Take the lease if it is free, keep it if it is ours: 1 while we hold it, 0 otherwise. */
const CLAIM =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end " +
  "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end return 0";
/** Let it go, if it is still ours. */
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/**
 * Which worker process takes dispatch jobs: one at a time, holding a lease in Redis (issue #15's
 * router leader). Drains stay in one process, warm, instead of taking turns between processes;
 * the others run their other queues and ask for the lease every RENEW_EVERY_MS, so one of them
 * takes over within DISPATCH_LEASE_MS of a holder that died (or lost Redis). A Redis lease, not a
 * Postgres session lock: it works behind PgBouncer in transaction pooling.
 *
 * The lease decides only where drains run, not whether they are right: two holders for a moment
 * (a holder whose event loop stalled past its lease) run one drain at a time all the same (the
 * dispatch queue's global concurrency), each round under the router lock.
 */
export function dispatchLease(queue: Queue, redis: Redis, log: Logger, hooks: { lead: () => void; follow: () => Promise<void> }) {
  const key = queue.toKey('dispatch-lease');
  const me = randomUUID();
  let leading = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const tick = async () => {
    const held = await redis.eval(CLAIM, 1, key, me, String(DISPATCH_LEASE_MS)).then(
      (r) => r === 1,
      (err: unknown) => {
        // Said once, by the holder that lets go: a follower asks again in RENEW_EVERY_MS anyway.
        if (leading) log.warn({ err }, 'dispatch lease: Redis did not answer; routing drains move to another worker');
        return false;
      },
    );
    if (stopped) return;
    if (held && !leading) {
      leading = true;
      hooks.lead();
    } else if (!held && leading) {
      leading = false;
      // Caught here, with what it means: tick runs from a timer, where a rejection nobody handles
      // reaches only main.ts's catch-all log.
      await hooks.follow().catch((err: unknown) => log.warn({ err }, 'dispatch lease: could not stop this worker taking drains'));
    }
  };
  const loop = () => {
    timer = setTimeout(() => void tick().finally(() => !stopped && loop()), RENEW_EVERY_MS);
  };

  return {
    /** Asks once now (a lone worker leads at once), then keeps asking or renewing. */
    async start() {
      await tick();
      loop();
    },
    get leading() {
      return leading;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      if (leading) await hooks.follow();
      leading = false;
      await redis.eval(RELEASE, 1, key, me).catch(() => 0);
    },
  };
}
