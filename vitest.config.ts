import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Every test file gets its own Postgres database and Redis prefix, so files run in parallel.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
    // Tests that cut Redis (test/fresh-machine.test.ts) leave ioredis rejecting commands that were in
    // flight with exactly this message, from a client no test code holds. Only that one is ignored;
    // every other unhandled error still fails the run.
    onUnhandledError: (error) => (error as { message?: string }).message !== 'Connection is closed.',
  },
});
