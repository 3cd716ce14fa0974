/**
 * A dispatch that finds nothing waiting ends without the router lock (most triggers in a surge
 * find their conversation offered already); with a conversation waiting it takes the lock as before.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dispatch } from '../src/core/routing/dispatch.js';
import { ROUTER_LOCK } from '../src/db/advisory-locks.js';
import { eventually, randomPhone, startTestApp, type TestApp } from './helpers/harness.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('routing-nothing-waiting');
});
afterAll(async () => {
  await app?.stop();
});

/** Holds the router lock in a transaction of its own until `release` is called. */
async function holdRouterLock() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held!: () => void;
  const isHeld = new Promise<void>((resolve) => (held = resolve));
  const done = app.sb.deps.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ROUTER_LOCK})`);
    held();
    await released;
  });
  await isHeld;
  return async () => {
    release();
    await done;
  };
}

const settledWithin = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

it('nothing waiting: drained at once, without waiting for the router lock', async () => {
  const release = await holdRouterLock();
  try {
    const run = dispatch(app.sb.deps);
    expect(await settledWithin(run, 2_000)).toBe(true);
    expect(await run).toEqual({ offers: 0, drained: true });
  } finally {
    await release();
  }
});

it('a conversation waiting: the round takes the router lock as before', async () => {
  await app.sms(randomPhone(), 'Nobody is available yet');
  await eventually(async () => {
    const rows = await app.sb.deps.db.execute(sql`select 1 from conversations where status = 'waiting'`);
    return rows.length === 1 || undefined;
  });
  const release = await holdRouterLock();
  const run = dispatch(app.sb.deps);
  expect(await settledWithin(run, 1_000)).toBe(false);
  await release();
  expect(await run).toEqual({ offers: 0, drained: true });
});
