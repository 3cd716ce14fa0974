import { spawn } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ROOT } from '../src/app-root.js';
import { contactIdentities, contacts } from '../src/db/schema.js';
import { createLogger, serializeError } from '../src/logger.js';
import { startTestApp, type TestApp } from './helpers/harness.js';

/**
 * drizzle puts the SQL and every bound value into its error message; logged
 * whole, that put phones, bodies and password hashes into the logs. Errors now
 * reach the logs through one serializer that keeps the driver's code and
 * constraint only.
 */
const lines: string[] = [];
const capture = { write: (s: string) => void lines.push(s) };
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('error-logs', {}, { logger: createLogger('info', {}, capture) });
}, 60_000);
afterAll(async () => {
  await app?.stop();
});

/**
 * Every run of three or more consecutive digits of `phone` that appears in `line`, leaving out what
 * is random or numeric by nature (ids, the time, the pid, numeric fields): those matched the
 * phone's digits by chance now and then.
 */
const digitsOf = (phone: string, logLine: string) => {
  const line = logLine
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/"[A-Za-z_]+":-?\d+(\.\d+)?/g, '');
  const digits = phone.replace(/\D/g, '');
  const found: string[] = [];
  for (let i = 0; i + 3 <= digits.length; i++) if (line.includes(digits.slice(i, i + 3))) found.push(digits.slice(i, i + 3));
  return found;
};

describe('a database error in the logs', () => {
  it('a constraint error with a phone number in its parameters: code and constraint, no digit of the number', async () => {
    const phone = '+19876543210';
    // The database refuses this one number, so storing an SMS from it fails inside the transaction.
    await app.sb.deps.db.execute(
      sql.raw(`alter table contact_identities add constraint test_refuses_one_number check (value <> '${phone}')`),
    );
    const r = await app.sms(phone, 'my card number is 4111 1111 1111 1111');
    // Twilio does not retry a 5xx by default: a text that cannot be stored goes to the webhook journal and Twilio hears 200.
    expect(r.status).toBe(200);
    const line = lines.find((l) => l.includes('webhook journalled') && l.includes('test_refuses_one_number'));
    expect(line, lines.slice(-5).join('')).toBeDefined();
    const entry = JSON.parse(line!) as { err: { code: string; constraint: string; message: string } };
    expect(entry.err).toMatchObject({ code: '23514', constraint: 'test_refuses_one_number' });
    expect(digitsOf(phone, line!)).toEqual([]);
    expect(line).not.toContain('4111');
    expect(line).not.toMatch(/insert into|params/i);
  });

  it('a unique violation logged directly: the same, and the wrapped error is recognised', async () => {
    const phone = '+18765432109';
    const db = app.sb.deps.db;
    const [c] = await db.insert(contacts).values({ name: 'Dup' }).returning();
    await db.insert(contactIdentities).values({ contactId: c.id, kind: 'phone', value: phone });
    const err = await db
      .insert(contactIdentities)
      .values({ contactId: c.id, kind: 'phone', value: phone })
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    // What used to reach the logs.
    expect((err as Error).message).toContain(phone);
    const serialized = JSON.stringify(serializeError(err));
    expect(serialized).toContain('23505');
    expect(serialized).toContain('contact_identities_kind_value_unique');
    expect(digitsOf(phone, serialized)).toEqual([]);
  });

  it('other errors keep their message with phones and emails masked, and no attached request body', () => {
    const e = Object.assign(new Error("The 'To' number +15551234567 is not valid for jane.doe@example.org"), {
      body: 'secret request body',
      status: 400,
    });
    const s = JSON.stringify(serializeError(e));
    expect(s).toContain('is not valid');
    expect(s).not.toContain('5551234567');
    expect(s).not.toContain('jane.doe');
    expect(s).not.toContain('secret request body');
  });
});

describe('the process log', () => {
  it('loses nothing logged just before the process exits (it is written asynchronously)', async () => {
    // createLogger without a destination writes stdout asynchronously; pino flushes it on exit.
    const script = `import { createLogger } from './src/logger.ts'; const log = createLogger('info');
      for (let i = 0; i < 2000; i++) log.info({ i }, 'line'); log.error('last words'); process.exit(3);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: APP_ROOT });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    const lines = out.trim().split('\n');
    expect(code).toBe(3);
    expect(lines).toHaveLength(2001);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ msg: 'last words', level: 50 });
  });
});
