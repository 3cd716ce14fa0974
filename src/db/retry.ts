import type { Logger } from '../logger.js';
import type { Db, Tx } from './client.js';
import { isLockConflict } from './errors.js';

/** Runs of a unit of work in all: the first and up to two more after a lock conflict. */
const LOCK_CONFLICT_RUNS = 3;

/**
 * Runs `work` again when Postgres rolls it back for a lock conflict (a deadlock, a serialization
 * failure); after the last run the error goes on (the HTTP layer answers it 409 conflict). Only
 * for work that is one statement or one whole transaction with no effect outside it before it
 * fails (no push, no job, no vendor call): Postgres undid all of it, so a second run is a first.
 */
export async function retryLockConflicts<T>(log: Logger, what: string, work: () => Promise<T>): Promise<T> {
  for (let run = 1; ; run++) {
    try {
      return await work();
    } catch (err) {
      if (run >= LOCK_CONFLICT_RUNS || !isLockConflict(err)) throw err;
      log.warn({ err, what, run }, 'lock conflict with a concurrent change; running it again');
    }
  }
}

/** `db.transaction(body)`, run again on a lock conflict (retryLockConflicts): `body` may only touch the database. */
export function retriedTransaction<T>(deps: { db: Db; log: Logger }, what: string, body: (tx: Tx) => Promise<T>): Promise<T> {
  return retryLockConflicts(deps.log, what, () => deps.db.transaction(body));
}
