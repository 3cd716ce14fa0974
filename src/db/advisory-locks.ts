/**
 * Every Postgres advisory lock id Switchboard takes, in one place so that two
 * never collide by accident. (Other applications sharing the database would
 * have to stay clear of these numbers.)
 */

/** Session lock held by the one process applying migrations at start-up; the others wait. */
export const MIGRATION_LOCK = 7265431;

/**
 * Transaction lock that serialises every decision that creates an offer,
 * across all worker processes, and everything that changes what those
 * decisions see (presence, offer expiry, transfers, timers). With it, "an
 * agent never exceeds capacity" and "never two live offers" hold by
 * construction; each decision is a few indexed reads, so the lock is held for
 * milliseconds.
 */
export const ROUTER_LOCK = 7265432;

/** Transaction lock while the first admin is created: two processes starting on an empty database create one. */
export const BOOTSTRAP_LOCK = 7265433;
