import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { APP_ROOT } from '../app-root.js';
import { MIGRATION_LOCK } from './advisory-locks.js';
import { PG, pgCodeOf } from './errors.js';
import * as schema from './schema.js';

export type Db = PostgresJsDatabase<typeof schema>;
/** A transaction handle; queries accept either, so they compose inside transactions. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export const MIGRATIONS_DIR = join(APP_ROOT, 'migrations');

export type DbHandle = { db: Db; close: () => Promise<void> };

export function connectDb(url: string, opts: { max?: number } = {}): DbHandle {
  const client = postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    // Postgres restarts must not kill the process: postgres-js reconnects on the next query.
    connect_timeout: 10,
    // postgres-js' default reconnect back-off grows to 20 s, and queries wait for it: during an
    // outage a webhook would hang past Twilio's 15 s instead of answering 500 (so Twilio retries),
    // and recovery would lag. Retry within a second instead (seconds).
    backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 1),
  });
  const db = drizzle(preparedStatements(client), { schema });
  return { db, close: () => client.end({ timeout: 5 }) };
}

/**
 * A hot statement built once per database handle: drizzle takes longer to build a statement than
 * Postgres to run it. `build` returns `.prepare(name)` of a query with `sql.placeholder`s; the
 * prepared query runs on the handle it was built on, so callers pass the root `Db`, never a `Tx`.
 */
export function builtOnce<T>(build: (db: Db) => T): (db: Db) => T {
  const built = new WeakMap<Db, T>();
  return (db) => {
    let statement = built.get(db);
    if (!statement) built.set(db, (statement = build(db)));
    return statement;
  };
}

/**
 * Marks a statement to be planned for its own values every time it runs: put it in the SQL of a
 * statement whose best plan depends on its values, like a report over a date range (a named
 * statement may switch to a generic plan after five runs, and for `created_at >= $1 and
 * created_at < $2` a generic plan guesses a narrow range: an index walk over a million rows).
 */
const PLAN_EACH_RUN_TEXT = '/* plan each run */';
export const PLAN_EACH_RUN = sql.raw(PLAN_EACH_RUN_TEXT);

/**
 * Marks a statement without parameters whose text never embeds a value, to be named like the
 * others (parsed and planned once per connection) rather than sent as a simple query, parsed and
 * planned at every run: put it in the SQL of a fixed raw statement run often, like the queue
 * figures. With no parameters Postgres keeps the one plan it made (until ANALYZE or DDL replans).
 */
const FIXED_TEXT_TEXT = '/* fixed text */';
export const FIXED_TEXT = sql.raw(FIXED_TEXT_TEXT);

/**
 * drizzle runs every query as an unnamed statement (postgres-js `prepare: false`), and postgres-js
 * sends an unnamed statement with parameters in two round trips: Parse + Describe first (to learn
 * the parameter types), then Bind + Execute; Postgres parses and plans it again each time. A named
 * statement is parsed and described once per connection, then costs one round trip, and Postgres
 * may reuse its plan: measured (a transaction of three small statements, 3,000 times) 0.95 ms
 * instead of 1.55 ms, and 25 % less client CPU; in the surge benchmark Parse messages went from
 * 14 per text to 0.5. So this client hands drizzle named statements for every query (in
 * transactions too) except those marked PLAN_EACH_RUN. A connection keeps each distinct text it
 * ran (postgres-js caches them per connection, without a bound): our texts are a fixed set apart
 * from IN lists by length, and postgres-js replaces a connection after 30 to 60 minutes
 * (`max_lifetime`), which bounds the rest.
 */
function preparedStatements(client: postgres.Sql): postgres.Sql {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'unsafe')
        return (query: string, params?: postgres.ParameterOrJSON<never>[], options?: postgres.UnsafeQueryOptions) =>
          target.unsafe(query, params, {
            ...options,
            prepare: !query.includes(PLAN_EACH_RUN_TEXT),
            // postgres-js sends a text without parameters as a simple query, parsed and planned at
            // every run (`anyone_waiting`, before every dispatch round: 0.19 ms of planning for
            // 0.03 ms of work). A statement built once (`.prepare(name)`: a fixed text) or marked
            // FIXED_TEXT is named like the others; other texts without parameters may embed
            // values, so stay simple.
            ...(options?.prepare || query.includes(FIXED_TEXT_TEXT) ? { simple: false } : {}),
          });
      if (prop === 'begin' || prop === 'savepoint')
        return (...args: unknown[]) => {
          const body = args.pop() as (tx: postgres.Sql) => unknown;
          return (Reflect.get(target, prop) as (...a: unknown[]) => unknown)(...args, (tx: postgres.Sql) => body(preparedStatements(tx)));
        };
      return Reflect.get(target, prop, receiver);
    },
  });
}

/** Creates the database named in `url` if it does not exist yet (connects to the `postgres` database to do so). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) return;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    const rows = await client`select 1 from pg_database where datname = ${name}`;
    if (rows.length === 0) {
      try {
        await client.unsafe(`create database "${name.replace(/"/g, '""')}"`);
      } catch (err) {
        // Another process created it between our check and our create: fine.
        if (pgCodeOf(err) !== PG.duplicateDatabase) throw err;
      }
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}

/**
 * Applies pending migrations. One connection holds a session advisory lock
 * while it migrates, so several processes starting at once do not race.
 */
export async function migrateDb(url: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
    await client`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** postgres-js codes for a connection that failed or went away (no SQLSTATE: the server never answered). */
const CONNECTION_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);

/**
 * True when an error means "Postgres could not be reached or went away" —
 * worth waiting out — rather than a query Postgres refused. SQLSTATE class 08
 * is a connection exception; 57P01–57P03 an admin shutdown, a crash, or
 * "cannot connect now" (starting up); 53300 too many connections.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code) || code === '53300'))
      return true;
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.some((x) => isDatabaseUnavailable(x))) return true;
  }
  return false;
}
