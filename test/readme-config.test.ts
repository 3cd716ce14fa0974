import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ZEnv } from '../src/config.js';

/** The variables the README's configuration table names (first column, each in backticks). */
function readmeVariables(): string[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.split(/^## Configuration$/m)[1]?.split(/^## /m)[0] ?? '';
  const rows = section.split('\n').filter((l) => l.startsWith('| `'));
  return rows.flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]));
}

describe('the README configuration table', () => {
  it('lists every variable the config schema reads, and nothing it does not', () => {
    const documented = readmeVariables();
    const schema = Object.keys(ZEnv.shape);
    expect(documented.length).toBeGreaterThan(10);
    expect(new Set(documented).size, 'a variable is listed twice').toBe(documented.length);
    expect([...documented].sort()).toEqual([...schema].sort());
  });
});
