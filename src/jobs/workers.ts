import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { z } from 'zod';
import { deliverMessage, PermanentSendError } from '../core/conversations/deliver-message.js';
import { rooms, type Deps } from '../core/ports.js';
import { purgeExpired } from '../core/privacy/retention.js';
import { dispatch } from '../core/routing/dispatch.js';
import { queueStats } from '../core/routing/queue-stats.js';
import { runRequestTimers } from '../core/requests/timers.js';
import { reconcile } from '../core/routing/reconcile.js';
import { expireOverdueOffers, expireReservation } from '../core/routing/reservations.js';
import { runRoutingTimers } from '../core/routing/timers.js';
import { dispatchEpochs, type DispatchEpochs } from './dispatch-epochs.js';
import type { Redis } from 'ioredis';
import { dispatchLease } from './dispatch-lease.js';
import { declareWorkerSettings, ensureRetentionSchedule, QUEUE_NAMES, type Queues } from './queues.js';

type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/** A job is data: a name, a schema for its payload, and a handler. */
type JobDefinition<S extends z.ZodType> = {
  schema: S;
  handle: (deps: Deps, data: z.output<S>, job: JobInfo) => Promise<unknown>;
};
/** What a handler may know about its own run. */
export type JobInfo = { lastAttempt: boolean };
const job = <S extends z.ZodType>(schema: S, handle: JobDefinition<S>['handle']): JobDefinition<S> => ({ schema, handle });

const dispatchJob = job(z.object({ epoch: z.number().int().optional() }).passthrough(), async (deps) => (await dispatch(deps)).offers);

export const JOBS: Record<string, Record<string, JobDefinition<z.ZodType>>> = {
  // Carried out in startWorkers, where the trigger numbers live (coalescedDispatch).
  [QUEUE_NAMES.dispatch]: { dispatch: dispatchJob },
  [QUEUE_NAMES.routing]: {
    // Dispatch jobs were queued here before they had their own queue: kept so jobs already in Redis still run.
    dispatch: dispatchJob,
    // Offers falling due in one second, swept together (JobScheduler.offerTimeouts).
    'offer-timeouts': job(z.object({}).passthrough(), (deps) => expireOverdueOffers(deps)),
    // One job per offer, as added before offer-timeouts: kept so jobs already in Redis still run.
    'reservation-timeout': job(z.object({ reservationId: z.string().uuid() }), (deps, d) => expireReservation(deps, d.reservationId)),
    // Wrap-up ends, desks gone past the grace period, escalation steps (src/core/routing/timers.ts).
    'routing-timers': job(z.object({}).passthrough(), (deps) => runRoutingTimers(deps)),
  },
  [QUEUE_NAMES.outbound]: {
    'send-message': job(z.object({ messageId: z.string().uuid() }), async (deps, d, info) => {
      try {
        // On the last attempt a vendor error ends the reply `failed` (visible, with a Retry button).
        return await deliverMessage(deps, d.messageId, { lastAttempt: info.lastAttempt });
      } catch (err) {
        // A vendor's 4xx will not get better by retrying.
        if (err instanceof PermanentSendError) throw new UnrecoverableError(err.message);
        throw err;
      }
    }),
  },
  [QUEUE_NAMES.maintenance]: {
    reconcile: job(z.object({}).passthrough(), async (deps) => {
      await reconcile(deps);
      // The safety net under the request timers' delayed jobs (lost in a Redis restart, or never added).
      await runRequestTimers(deps);
      await publishQueueStats(deps);
    }),
    // Snoozes ending, stale pending, SLA warnings and breaches (src/core/requests/timers.ts).
    'request-timers': job(z.object({}).passthrough(), (deps) => runRequestTimers(deps)),
    'queue-stats': job(z.object({}).passthrough(), (deps) => publishQueueStats(deps)),
    // Closed conversations older than RETENTION_DAYS (src/core/privacy/retention.ts).
    retention: job(z.object({}).passthrough(), (deps) => purgeExpired(deps)),
  },
};

async function publishQueueStats(deps: Deps) {
  deps.realtime.publish([rooms.supervisors], 'queue.stats', {
    queues: await queueStats(deps.db, undefined, { windowSeconds: deps.config.routing.statsWindowSeconds }),
  });
}

/** Extra job handlers that channel modules register (voice, email…), by queue name and job name. */
export function registerJob<S extends z.ZodType>(
  queue: keyof typeof QUEUE_NAMES,
  name: string,
  schema: S,
  handle: JobDefinition<S>['handle'],
) {
  JOBS[QUEUE_NAMES[queue]][name] = job(schema, handle);
}

/** Concurrency per process. */
const CONCURRENCY = { [QUEUE_NAMES.dispatch]: 1, [QUEUE_NAMES.routing]: 2, [QUEUE_NAMES.outbound]: 8, [QUEUE_NAMES.maintenance]: 1 };

/**
 * The dispatch queue's worker, in the process holding the dispatch lease (dispatch-lease.ts). One
 * drain runs at a time across every process (the queue's global concurrency, declareWorkerSettings):
 * drains serialise on one Postgres lock anyway, and two at once only split the rounds and pay each
 * round's fixed reads twice. A worker that dies holding the drain must not hold the next holder back
 * for BullMQ's default 30 s: its job's lock lapses after `lockDuration` (renewed every half of it
 * while the drain runs) and the new holder's stalled-job check, every `stalledInterval`, takes it on.
 */
export const DISPATCH_WORKER = { lockDuration: 2_000, stalledInterval: 1_000 } as const;

/**
 * A dispatch job: lets later triggers queue their own job, is skipped when a finished drain
 * already covered every trigger so far, otherwise routes until nothing matches and records what
 * it covered (dispatch-epochs.ts).
 */
async function coalescedDispatch(deps: Deps, epochs: DispatchEpochs) {
  const seen = await epochs.begin();
  if (seen === null) return 0;
  const { offers, drained } = await dispatch(deps);
  if (drained) await epochs.markDrained(seen);
  return offers;
}

export async function startWorkers(deps: Deps, connection: ConnectionOptions, queues: Queues) {
  const epochs = dispatchEpochs(queues.dispatch);
  const startWorker = (name: QueueName) => {
    const w = new Worker(
      name,
      async (j: Job) => {
        const def = JOBS[name]?.[j.name];
        if (!def) throw new UnrecoverableError(`unknown job ${name}/${j.name}`);
        const parsed = def.schema.safeParse(j.data);
        if (!parsed.success) throw new UnrecoverableError(`bad payload for ${j.name}: ${parsed.error.message}`);
        if (name === QUEUE_NAMES.dispatch) return coalescedDispatch(deps, epochs);
        return def.handle(deps, parsed.data, { lastAttempt: j.attemptsMade + 1 >= (j.opts.attempts ?? 1) });
      },
      {
        connection,
        prefix: deps.config.redisPrefix,
        concurrency: CONCURRENCY[name],
        ...(name === QUEUE_NAMES.dispatch ? DISPATCH_WORKER : {}),
      },
    );
    w.on('failed', (j, err) =>
      // The error object, not its message: the serializer keeps a database error's code and drops its values.
      deps.log.warn({ queue: w.name, job: j?.name, jobId: j?.id, attempts: j?.attemptsMade, err }, 'job failed'),
    );
    w.on('error', (err) => deps.log.error({ queue: w.name, err }, 'worker error'));
    return w;
  };
  const workers = Object.values(QUEUE_NAMES)
    .filter((name) => name !== QUEUE_NAMES.dispatch)
    .map(startWorker);
  // Dispatch jobs are taken by the process holding the lease only (dispatch-lease.ts).
  let drains: Worker | undefined;
  const lease = dispatchLease(queues.dispatch, (await queues.dispatch.client) as unknown as Redis, deps.log, {
    lead: () => {
      drains = startWorker(QUEUE_NAMES.dispatch);
    },
    follow: async () => {
      const w = drains;
      drains = undefined;
      await w?.close();
    },
  });
  // One schedule and one drain limit for the whole installation, however many workers.
  await declareWorkerSettings(queues, deps.config.routing.reconcileIntervalSeconds);
  await ensureRetentionSchedule(queues, deps.config.retentionDays);
  await lease.start();
  return {
    async close() {
      await Promise.all([lease.stop(), ...workers.map((w) => w.close())]);
    },
  };
}
