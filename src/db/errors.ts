/**
 * Postgres errors as the driver reports them. drizzle wraps every failed query
 * in a `DrizzleQueryError` (its message holds the SQL and every bound value);
 * the driver's own error, with the SQLSTATE `code` and `constraint_name`, is
 * its `cause`. Checks on the code must look there, not at the outer error.
 */
export const PG = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  notNullViolation: '23502',
  checkViolation: '23514',
  invalidTextRepresentation: '22P02',
  characterNotInRepertoire: '22021',
  untranslatableCharacter: '22P05',
  stringDataRightTruncation: '22001',
  numericValueOutOfRange: '22003',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  duplicateDatabase: '42P04',
} as const;

export type PgErrorFacts = {
  /** SQLSTATE, e.g. 23505. */
  code: string;
  constraint?: string;
  table?: string;
  column?: string;
};

/** The Postgres error in `err` or its cause chain (drizzle wraps it), or undefined. */
export function pgErrorOf(err: unknown): PgErrorFacts | undefined {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const x = e as { code?: unknown; severity?: unknown; constraint_name?: unknown; table_name?: unknown; column_name?: unknown };
    // postgres-js' PostgresError carries the server's fields; a SQLSTATE is five characters.
    if (typeof x.code === 'string' && /^[0-9A-Z]{5}$/.test(x.code) && typeof x.severity === 'string') {
      return {
        code: x.code,
        constraint: typeof x.constraint_name === 'string' ? x.constraint_name : undefined,
        table: typeof x.table_name === 'string' ? x.table_name : undefined,
        column: typeof x.column_name === 'string' ? x.column_name : undefined,
      };
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The SQLSTATE of a Postgres error (wrapped or not), or undefined for anything else. */
export const pgCodeOf = (err: unknown): string | undefined => pgErrorOf(err)?.code;

/**
 * Postgres gave up on this transaction because of a concurrent one (a deadlock, or a serialization
 * failure): it was rolled back whole, and running it again may well succeed.
 */
export const isLockConflict = (err: unknown): boolean => {
  const code = pgCodeOf(err);
  return code === PG.deadlockDetected || code === PG.serializationFailure;
};
