import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Files that start Switchboard (or other programs) as child processes and time what they do: the
 * fault suite and its kin. They run one at a time, after the rest, so their processes do not
 * compete with other files' for the machine's cores.
 */
const PROCESS_TESTS = [
  'test/fault/**/*.test.ts',
  'test/access-cluster.test.ts',
  'test/config.test.ts',
  'test/error-logs.test.ts',
  'test/fresh-machine.test.ts',
  'test/postgres-driver.test.ts',
  'test/production-build.test.ts',
  'test/routing-stress.test.ts',
  'test/voice-config.test.ts',
];

export default defineConfig({
  test: {
    pool: 'forks',
    // Every test file gets its own Postgres database and Redis prefix, so files run in parallel:
    // vitest's default (one fewer than the cores), but at least two, since most of a file's time is
    // spent waiting on Postgres, Redis, sockets and timers (a 2-core machine ran one at a time).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // A worker keeps the modules it loaded from one file to the next (no file mocks modules or
    // changes them): loading twilio, bolt, bullmq and drizzle for each of 121 files took 2 of the
    // suite's 13 minutes.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
    // Tests that cut Redis (test/fresh-machine.test.ts) leave ioredis rejecting commands that were in
    // flight with exactly this message, from a client no test code holds. Only that one is ignored;
    // every other unhandled error still fails the run.
    onUnhandledError: (error) => (error as { message?: string }).message !== 'Connection is closed.',
    projects: [
      { extends: true, test: { name: 'in-process', include: ['test/**/*.test.ts', 'test/**/*.test.tsx'], exclude: PROCESS_TESTS } },
      { extends: true, test: { name: 'processes', include: PROCESS_TESTS, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
