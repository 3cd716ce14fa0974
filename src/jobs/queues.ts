import { randomUUID } from 'node:crypto';
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobScheduler } from '../core/ports.js';
import type { Logger } from '../logger.js';
import { dispatchEpochs } from './dispatch-epochs.js';

/**
 * BullMQ queues. Names are fixed; `REDIS_PREFIX` keeps installations (and test
 * files) apart. Every job is a re-drive of state held in Postgres, so losing
 * one costs latency (the reconciler re-creates it), never a contact.
 */
export const QUEUE_NAMES = {
  /**
   * Routing drains: one at a time (the queue's global concurrency is 1), in the worker process
   * holding the dispatch lease (DISPATCH_WORKER in workers.ts, dispatch-lease.ts; docs/routing.md,
   * "One drain at a time").
   */
  dispatch: 'dispatch',
  /** Offer timeouts and routing timers. */
  routing: 'routing',
  /** Outbound sends to vendors (SMS, email, Slack). */
  outbound: 'outbound',
  /** Periodic reconciliation and supervisor figures. */
  maintenance: 'maintenance',
} as const;

const base: JobsOptions = {
  // Keep Redis small: finished jobs are not our record, Postgres is.
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 1000 },
};

export const JOB_OPTIONS = {
  dispatch: { ...base, attempts: 5, backoff: { type: 'exponential', delay: 200 } } satisfies JobsOptions,
  reservationTimeout: { ...base, attempts: 5, backoff: { type: 'exponential', delay: 500 } } satisfies JobsOptions,
  // Sends retry with back-off 1 s, 2 s, 4 s… (12 attempts ≈ 34 minutes of vendor outage, SEND_ATTEMPTS);
  // a 4xx from the vendor, or the last attempt's error, ends the reply `failed`.
  sendMessage: { ...base, attempts: 12, backoff: { type: 'exponential', delay: 1000 } } satisfies JobsOptions,
  queueStats: { ...base, attempts: 1, delay: 300 } satisfies JobsOptions,
  // A failed sweep is retried soon; the reconciler runs the same sweep every few seconds anyway.
  requestTimer: { ...base, attempts: 3, backoff: { type: 'exponential', delay: 500 } } satisfies JobsOptions,
} as const;

export type Queues = {
  dispatch: Queue;
  routing: Queue;
  outbound: Queue;
  maintenance: Queue;
  close(): Promise<void>;
};

export function createQueues(connection: ConnectionOptions, prefix: string, log?: Logger): Queues {
  const opts = { connection, prefix };
  const dispatch = new Queue(QUEUE_NAMES.dispatch, opts);
  const routing = new Queue(QUEUE_NAMES.routing, opts);
  const outbound = new Queue(QUEUE_NAMES.outbound, opts);
  const maintenance = new Queue(QUEUE_NAMES.maintenance, opts);
  const all = [dispatch, routing, outbound, maintenance];
  for (const q of all) {
    q.on('error', (err) => log?.warn({ queue: q.name, err }, 'queue connection error'));
  }
  return {
    dispatch,
    routing,
    outbound,
    maintenance,
    async close() {
      await Promise.all(all.map((q) => q.close()));
    },
  };
}

/**
 * How long a caller (a webhook, an API request) waits for Redis to take a job.
 * Every job re-drives state already committed to Postgres, and the reconciler
 * re-creates any job that never made it (waiting conversations, overdue
 * offers, pending sends), so during a Redis outage a webhook still answers
 * 200 once its contact is stored instead of hanging until Twilio gives up.
 */
export const ENQUEUE_WAIT_MS = 2_000;

/** Within this long of asking for a queue-stats job, the job asked for has not started (its delay is longer). */
const QUEUE_STATS_RIDE_MS = JOB_OPTIONS.queueStats.delay - 100;

/**
 * The core's `JobScheduler`, carried out with BullMQ. jobIds derive from records, so re-adding is
 * harmless. `triggers`: the connection routing triggers use (switchboard.ts passes the
 * auto-pipelined one that also carries Socket.IO events: a text's trigger and its events leave in
 * one write).
 */
export function createJobScheduler(q: Queues, log?: Logger, opts: { sendAttempts?: number; triggers?: Redis } = {}): JobScheduler {
  const enqueue = async (job: string, adding: Promise<unknown>): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), ENQUEUE_WAIT_MS);
    });
    try {
      const outcome = await Promise.race([adding.then(() => 'added' as const), late]);
      // Still queued in ioredis' offline queue: it is sent when Redis is back (or the reconciler covers it).
      if (outcome === 'late') log?.warn({ job }, 'Redis is slow or down: job not confirmed yet, the reconciler will re-drive it');
      return outcome === 'added';
    } catch (err) {
      log?.warn({ job, err }, 'could not enqueue job; the reconciler will re-drive it');
      return false;
    } finally {
      clearTimeout(timer);
    }
  };
  const epochs = dispatchEpochs(q.dispatch, { client: opts.triggers });
  let queueStatsAskedAt = -Infinity;
  /** One delayed sweep per second of due time (its job id names the second), asked for once per second by this process. */
  const sweepEachSecond = (queue: Queue, name: string, idPrefix: string, options: JobsOptions) => {
    const seconds = timerSeconds();
    return (at: Date) =>
      seconds.ask(at, (due) =>
        enqueue(name, queue.add(name, {}, { ...options, jobId: `${idPrefix}-${due}`, delay: Math.max(0, due - Date.now()) + 50 })),
      );
  };
  const offerTimeoutSweep = sweepEachSecond(q.routing, 'offer-timeouts', 'offer-timeouts', JOB_OPTIONS.reservationTimeout);
  const routingTimerSweep = sweepEachSecond(q.routing, 'routing-timers', 'timers', JOB_OPTIONS.dispatch);
  const requestTimerSweep = sweepEachSecond(q.maintenance, 'request-timers', 'request-timers', JOB_OPTIONS.requestTimer);
  return {
    async dispatch() {
      // A job is queued only when none is waiting to start: that one covers this trigger (dispatch-epochs.ts).
      await enqueue(
        'dispatch',
        epochs.trigger().then(({ epoch, enqueue }) => (enqueue ? q.dispatch.add('dispatch', { epoch }, JOB_OPTIONS.dispatch) : null)),
      );
    },
    async offerTimeouts(at) {
      // One sweep per second of due time, not one job per offer: a round of 100 offers made
      // together adds one delayed job, and an accepted offer leaves no job behind to wake for.
      await offerTimeoutSweep(at);
    },
    async sendMessage(messageId, o = {}) {
      // A second job for one message is harmless: only the run that claims it (pending → sending) sends.
      const jobId = o.fresh ? `send-${messageId}-${randomUUID()}` : `send-${messageId}`;
      await enqueue(
        'send-message',
        clearFinished(q.outbound, jobId).then(() =>
          q.outbound.add(
            'send-message',
            { messageId },
            { ...JOB_OPTIONS.sendMessage, attempts: opts.sendAttempts ?? JOB_OPTIONS.sendMessage.attempts, jobId },
          ),
        ),
      );
    },
    async queueStats() {
      // Debounced: while one is waiting, more changes ride on it. A job this process asked for
      // less than QUEUE_STATS_RIDE_MS ago has not started yet (it waits JOB_OPTIONS.queueStats.delay),
      // so it reads this change too and no script call is needed: a round of 100 offers, or a
      // surge of texts, used to add (and deduplicate) one job per conversation. The window is taken
      // as the add is sent, not when Redis confirms it, or every change arriving meanwhile adds too
      // (0.8 adds per text in a surge). A failed add gives it back; the reconciler publishes anyway.
      const now = Date.now();
      if (now - queueStatsAskedAt < QUEUE_STATS_RIDE_MS) return;
      const before = queueStatsAskedAt;
      queueStatsAskedAt = now;
      const added = await enqueue(
        'queue-stats',
        q.maintenance.add('queue-stats', {}, { ...JOB_OPTIONS.queueStats, deduplication: { id: 'queue-stats' } }),
      );
      if (!added && queueStatsAskedAt === now) queueStatsAskedAt = before;
    },
    async routingTimer(at) {
      // One job per second of due time: timers falling due together share one sweep (the sweep is idempotent).
      await routingTimerSweep(at);
    },
    async requestTimer(at) {
      // Same shape as routing timers: one wake-up per second of due time; the sweep finds what is due in Postgres.
      await requestTimerSweep(at);
    },
  };
}

/**
 * The wake-up seconds this process has already asked Redis for. Adding the same second's job
 * again changes nothing (BullMQ keeps the first job of an id), yet costs a script call: in a
 * surge every text arms its SLA timer, and texts of one second share one job. A second is
 * remembered as it is asked for (the texts arriving while that add is on its way share it too)
 * and forgotten if the add is not confirmed, so the next one asks again; kept only until it has passed.
 */
function timerSeconds() {
  const seconds = new Set<number>();
  return {
    /** Asks for the wake-up second at or after `at` with `add` (true: Redis confirmed it), unless already asked. */
    async ask(at: Date, add: (due: number) => Promise<boolean>) {
      const due = Math.ceil(at.getTime() / 1000) * 1000;
      if (seconds.has(due)) return;
      const now = Date.now();
      if (seconds.size > 1000) for (const s of seconds) if (s < now) seconds.delete(s);
      seconds.add(due);
      if (!(await add(due))) seconds.delete(due);
    },
  };
}

/**
 * BullMQ ignores `add` while a job of that id still exists, finished or not
 * (`removeOnFail` keeps the last 1000 failed ones): a retried or re-driven
 * send would silently never run. A finished job is history — drop it first.
 * A waiting, delayed or active one stays: that send is still on its way.
 */
async function clearFinished(queue: Queue, jobId: string) {
  const state = await queue.getJobState(jobId);
  if (state === 'completed' || state === 'failed') await queue.remove(jobId);
}

/**
 * What workers keep in Redis: the reconciler's schedule and the one-drain-at-a-time limit. A Redis
 * that restarts empty (no persistence, a failover to a fresh replica) forgets both, so every worker
 * (re)declares them at start and whenever its Redis connection comes back.
 */
export async function declareWorkerSettings(q: Queues, reconcileEverySeconds: number) {
  await q.maintenance.upsertJobScheduler(
    'reconcile',
    { every: reconcileEverySeconds * 1000 },
    { name: 'reconcile', data: {}, opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 100 } } },
  );
  await q.dispatch.setGlobalConcurrency(1);
}

/** When the retention job runs: every night at 03:17 UTC (off the hour, when the desk is quiet). */
export const RETENTION_CRON = '17 3 * * *';

/**
 * The nightly retention purge (RETENTION_DAYS), one schedule for the installation like the
 * reconciler's. Without RETENTION_DAYS any schedule left from an earlier configuration is removed.
 */
export async function ensureRetentionSchedule(q: Queues, retentionDays: number | undefined) {
  if (!retentionDays) {
    await q.maintenance.removeJobScheduler('retention');
    return;
  }
  await q.maintenance.upsertJobScheduler(
    'retention',
    { pattern: RETENTION_CRON, tz: 'UTC' },
    {
      name: 'retention',
      data: {},
      opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: { count: 10 }, removeOnFail: { count: 100 } },
    },
  );
}
