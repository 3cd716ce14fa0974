import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SpooledMail } from './parse-inbound.js';

/**
 * Mail being received goes to disk, not memory: twenty slow senders of 10 MB mails would
 * otherwise hold 200 MB. The spool is scratch space only: the sender hears 250 once the mail is
 * in Postgres, so a file lost with a crash is a mail the sender delivers again.
 */
export const SPOOL_DIR = join(tmpdir(), 'switchboard-inbound-mail');
const STALE_AFTER_MS = 60 * 60 * 1000;

/** Creates the spool (owner-only: mail holds personal data) and removes files a crash left in it. */
export async function prepareSpool(dir = SPOOL_DIR): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const now = Date.now();
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (info && now - info.mtimeMs > STALE_AFTER_MS) await rm(path, { force: true });
  }
}

/**
 * Writes a mail's DATA to a spool file, hashing it on the way. Past maxBytes nothing more is
 * written (the stream is still drained so the SMTP session can answer 552).
 */
export async function spoolMail(stream: Readable, maxBytes: number, dir = SPOOL_DIR): Promise<SpooledMail & { tooLarge: boolean }> {
  const path = join(dir, `${randomUUID()}.eml`);
  const hash = createHash('sha256');
  let size = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > maxBytes) return done();
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(stream, limit, createWriteStream(path, { mode: 0o600 }));
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
  return { path, size, sha256: hash.digest('hex'), tooLarge: size > maxBytes };
}

export const removeSpooled = (mail: SpooledMail) => rm(mail.path, { force: true });
