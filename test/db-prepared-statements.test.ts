/**
 * The database client runs drizzle's queries as named prepared statements (one round trip each
 * once prepared, instead of Parse + Describe and then Bind + Execute), except those marked
 * PLAN_EACH_RUN (planned for their own values every run). Real Postgres: the session's own
 * `pg_prepared_statements` shows what was prepared.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { builtOnce, connectDb, ensureDatabase, FIXED_TEXT, migrateDb, PLAN_EACH_RUN, type Db, type DbHandle } from '../src/db/client.js';
import { conversationsOf } from '../src/core/reports/filters.js';
import { queues } from '../src/db/schema.js';
import { isolatedStores } from './helpers/harness.js';

let stores: Awaited<ReturnType<typeof isolatedStores>>;
let handle: DbHandle;
const bounds = { start: new Date('2026-01-01T00:00:00Z'), end: new Date('2026-02-01T00:00:00Z') };

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

it('leaves statements marked PLAN_EACH_RUN unnamed: the reports range among them', async () => {
  const seen = await handle.db.transaction(async (tx) => {
    for (let i = 0; i < 6; i++) await tx.execute(sql`select ${i}::int as each_run_marker ${PLAN_EACH_RUN}`);
    await tx.execute(sql`select count(*) from conversations c where ${sql.join(conversationsOf({}, 'UTC', bounds), sql` and `)}`);
    const [marked] = await tx.execute<{ n: number }>(preparedLike('each_run_marker'));
    const [report] = await tx.execute<{ n: number }>(preparedLike('c.created_at >='));
    return { marked: marked.n, report: report.n };
  });
  expect(seen).toEqual({ marked: 0, report: 0 });
});

it('names a statement built once even without parameters, planned once (postgres-js would send it as a simple query)', async () => {
  // Like dispatch's `anyone_waiting`: a fixed text, no parameters, run before every round.
  const statement = builtOnce((db: Db) =>
    db
      .select({ marker: sql<number>`1`.as('no_params_marker') })
      .from(sql`(select 1) as one`)
      .prepare('no_params_marker'),
  );
  // One connection, so the check reads the session that ran them.
  const one = connectDb(stores.databaseUrl, { max: 1 });
  try {
    for (let i = 0; i < 4; i++) await statement(one.db).execute();
    const [row] = await one.db.execute<{ prepared: number; generic: number }>(
      sql`select count(*)::int as prepared, coalesce(sum(generic_plans), 0)::int as generic from pg_prepared_statements
        where statement like '%no_params_marker%' and statement not like '%pg_prepared_statements%'`,
    );
    expect(row).toEqual({ prepared: 1, generic: 4 });
  } finally {
    await one.close();
  }
});

it('names a raw statement without parameters marked FIXED_TEXT (the queue figures), planned once; unmarked ones stay simple', async () => {
  const one = connectDb(stores.databaseUrl, { max: 1 });
  try {
    for (let i = 0; i < 4; i++) {
      await one.db.execute(sql`${FIXED_TEXT} select 1 as fixed_text_marker`);
      await one.db.execute(sql`select 1 as unmarked_marker`);
    }
    const [row] = await one.db.execute<{ fixed: number; generic: number; unmarked: number }>(
      sql`select count(*) filter (where statement like '%fixed_text_marker%')::int as fixed,
          coalesce(sum(generic_plans) filter (where statement like '%fixed_text_marker%'), 0)::int as generic,
          count(*) filter (where statement like '%unmarked_marker%')::int as unmarked
        from pg_prepared_statements where statement not like '%pg_prepared_statements%'`,
    );
    expect(row).toEqual({ fixed: 1, generic: 4, unmarked: 0 });
  } finally {
    await one.close();
  }
});
