/**
 * The database client runs drizzle's queries as named prepared statements (one round trip each
 * once prepared, instead of Parse + Describe and then Bind + Execute) and plans each execution
 * for its own values (`plan_cache_mode = force_custom_plan`). Real Postgres: the session's own
 * `pg_prepared_statements` shows what was prepared.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectDb, ensureDatabase, migrateDb, type DbHandle } from '../src/db/client.js';
import { queues } from '../src/db/schema.js';
import { isolatedStores } from './helpers/harness.js';

let stores: Awaited<ReturnType<typeof isolatedStores>>;
let handle: DbHandle;

beforeAll(async () => {
  stores = await isolatedStores('prepared');
  await ensureDatabase(stores.databaseUrl);
  await migrateDb(stores.databaseUrl);
  handle = connectDb(stores.databaseUrl, { max: 2 });
});

afterAll(async () => {
  await handle?.close();
  await stores?.drop();
});

/** Statements this session has prepared whose text contains `marker`. */
const preparedLike = (marker: string) =>
  sql`select count(*)::int as n from pg_prepared_statements where statement like ${'%' + marker + '%'} and statement not like '%pg_prepared_statements%'`;

it('runs queries as named statements, in transactions and savepoints too, parsed once per connection', async () => {
  const { db } = handle;
  const seen = await db.transaction(async (tx) => {
    for (let i = 0; i < 3; i++)
      await tx
        .select({ key: queues.key })
        .from(queues)
        .where(eq(queues.key, `q${i}`));
    await tx.execute(sql`select ${1}::int as prepared_marker_a`);
    const inSavepoint = await tx.transaction(async (sp) => {
      await sp.execute(sql`select ${2}::int as prepared_marker_b`);
      return sp.execute<{ n: number }>(preparedLike('prepared_marker_b'));
    });
    const [queuesSelect] = await tx.execute<{ n: number }>(preparedLike('from "queues" where "queues"."key" = $1'));
    const [executed] = await tx.execute<{ n: number }>(preparedLike('prepared_marker_a'));
    return { queuesSelect: queuesSelect.n, executed: executed.n, savepoint: inSavepoint[0].n };
  });
  // Three runs of one text: one statement on this connection.
  expect(seen).toEqual({ queuesSelect: 1, executed: 1, savepoint: 1 });
});

it('plans every execution for its own values', async () => {
  const [row] = await handle.db.execute<{ plan_cache_mode: string }>(sql`show plan_cache_mode`);
  expect(row.plan_cache_mode).toBe('force_custom_plan');
});
