import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PG_ADMIN_URL } from './helpers/harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * postgres-js 3.4.9 crashes the whole process when Postgres drops a connection
 * inside a transaction (porsager/postgres#1208): the transaction's own ROLLBACK
 * is flushed from a setImmediate onto the already-closed socket and throws where
 * no caller can catch it. patches/postgres+3.4.9.patch guards that write. This
 * runs the upstream reproduction in a child process with the installed driver:
 * without the patch the child dies with "Cannot read properties of null".
 */
const reproduction = `
import postgres from 'postgres';
const url = process.env.DATABASE_URL;
const sql = postgres(url, { max: 2, onnotice() {} });
const killer = postgres(url, { max: 1 });
let pid = null;
const tx = sql.begin(async (t) => {
  [{ pid }] = await t\`select pg_backend_pid() as pid\`;
  await t\`select pg_sleep(5)\`;
});
while (pid === null) await new Promise((r) => setTimeout(r, 20));
await killer\`select pg_terminate_backend(\${pid})\`;
const err = await tx.then(() => null, (e) => e);
console.log('transaction:', err?.code);
await new Promise((r) => setTimeout(r, 200));
const [{ one }] = await sql\`select 1 as one\`;
console.log('afterwards:', one);
await killer.end({ timeout: 1 });
await sql.end({ timeout: 1 });
`;

function runNode(code: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', (exitCode) => {
      clearTimeout(timer);
      resolve({ code: exitCode, output });
    });
  });
}

describe('the Postgres driver survives a connection dropped mid-transaction', () => {
  it('rejects the transaction with CONNECTION_CLOSED, keeps the process alive and reconnects', async () => {
    const { code, output } = await runNode(reproduction, { DATABASE_URL: PG_ADMIN_URL });
    expect(output).not.toContain('Cannot read properties of null');
    expect(output).toContain('transaction: CONNECTION_CLOSED');
    expect(output).toContain('afterwards: 1');
    expect(code, output).toBe(0);
  });
});
