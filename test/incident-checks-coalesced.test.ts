import { describe, expect, it } from 'vitest';
import { coalesced } from '../src/core/incidents/after-inbound.js';

describe('the incident checks after inbound texts, coalesced', () => {
  it('one run at a time; texts arriving meanwhile make the next run, which starts no sooner than the gap after the last', async () => {
    const runs: { batch: number[]; at: number }[] = [];
    const check = coalesced<number>(
      150,
      async (batch) => {
        runs.push({ batch, at: performance.now() });
        await new Promise((r) => setTimeout(r, 20));
      },
      () => {},
    );
    const first = check(1);
    const rest = [2, 3, 4].map((n) => check(n));
    await first;
    expect(runs.map((r) => r.batch)).toEqual([[1]]);
    await Promise.all(rest);
    expect(runs.map((r) => r.batch)).toEqual([[1], [2, 3, 4]]);
    expect(runs[1].at - runs[0].at).toBeGreaterThanOrEqual(145);

    // Long after the last run: a text is checked at once.
    await new Promise((r) => setTimeout(r, 160));
    const asked = performance.now();
    await check(5);
    expect(runs[2]).toMatchObject({ batch: [5] });
    expect(runs[2].at - asked).toBeLessThan(100);
  });

  it('a failing run is reported, rejects nobody, and the next texts are checked', async () => {
    const failures: unknown[] = [];
    const batches: string[][] = [];
    const check = coalesced<string>(
      0,
      async (batch) => {
        batches.push(batch);
        if (batch.includes('bad')) throw new Error('boom');
      },
      (err) => failures.push(err),
    );
    await expect(check('bad')).resolves.toBeUndefined();
    await check('good');
    expect(batches).toEqual([['bad'], ['good']]);
    expect(failures).toHaveLength(1);
  });
});
