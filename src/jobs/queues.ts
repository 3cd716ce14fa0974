import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { JobScheduler } from '../core/ports.js';

/**
 * BullMQ queues. Names are fixed; `REDIS_PREFIX` keeps installations (and test
 * files) apart. Every job is a re-drive of state held in Postgres, so losing
 * one costs latency (the reconciler re-creates it), never a contact.
 */
export const QUEUE_NAMES = {
  /** Routing decisions and offer timeouts. */
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
  // Sends retry for about 10 minutes (vendor outages); a 4xx from the vendor fails at once.
  sendMessage: { ...base, attempts: 12, backoff: { type: 'exponential', delay: 1000 } } satisfies JobsOptions,
  queueStats: { ...base, attempts: 1, delay: 300 } satisfies JobsOptions,
} as const;

export type Queues = {
  routing: Queue;
  outbound: Queue;
  maintenance: Queue;
  close(): Promise<void>;
};

export function createQueues(connection: ConnectionOptions, prefix: string): Queues {
  const opts = { connection, prefix };
  const routing = new Queue(QUEUE_NAMES.routing, opts);
  const outbound = new Queue(QUEUE_NAMES.outbound, opts);
  const maintenance = new Queue(QUEUE_NAMES.maintenance, opts);
  return {
    routing,
    outbound,
    maintenance,
    async close() {
      await Promise.all([routing.close(), outbound.close(), maintenance.close()]);
    },
  };
}

/** The core's `JobScheduler`, carried out with BullMQ. jobIds derive from records, so re-adding is harmless. */
export function createJobScheduler(q: Queues): JobScheduler {
  return {
    async dispatch() {
      await q.routing.add('dispatch', {}, JOB_OPTIONS.dispatch);
    },
    async reservationTimeout(reservationId, expiresAt) {
      await q.routing.add(
        'reservation-timeout',
        { reservationId },
        { ...JOB_OPTIONS.reservationTimeout, jobId: `rt-${reservationId}`, delay: Math.max(0, expiresAt.getTime() - Date.now()) + 50 },
      );
    },
    async sendMessage(messageId) {
      await q.outbound.add('send-message', { messageId }, { ...JOB_OPTIONS.sendMessage, jobId: `send-${messageId}` });
    },
    async queueStats() {
      // Debounced: while one is waiting, more changes ride on it.
      await q.maintenance.add('queue-stats', {}, { ...JOB_OPTIONS.queueStats, deduplication: { id: 'queue-stats' } });
    },
  };
}
