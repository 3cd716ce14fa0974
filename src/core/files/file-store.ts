import { createHash, randomUUID } from 'node:crypto';
import { and, asc, eq, gt, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { attachments, fileChunks } from '../../db/schema.js';

/**
 * Inbound files in Postgres, a chunk at a time, so a 20 MB attachment costs a chunk of memory
 * while it is written and while it is read, not 20 MB (and every web process can serve it).
 */
export const FILE_CHUNK_BYTES = 256 * 1024;
/** Staged files older than this belong to a mail whose storing never finished (crash, restart). */
const ABANDONED_AFTER_MS = 60 * 60 * 1000;

export type FileMeta = { role: 'attachment' | 'original'; filename: string; contentType: string };
export type StoredFile = { id: string; size: number; sha256: string };

/**
 * Writes a file from a stream as a staged file (no message yet) and returns its id, size and
 * SHA-256. Backpressure comes from awaiting each chunk's insert. On failure the partial file is
 * removed before the error is rethrown.
 */
export async function stageFile(db: DbOrTx, meta: FileMeta, content: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<StoredFile> {
  const id = randomUUID();
  const hash = createHash('sha256');
  await db.insert(attachments).values({ id, messageId: null, ...meta, size: 0 });
  let size = 0;
  let seq = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (!pendingBytes) return;
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await db.insert(fileChunks).values({ fileId: id, seq: seq++, data });
  };
  try {
    for await (const part of content) {
      let chunk = part;
      hash.update(chunk);
      size += chunk.length;
      while (pendingBytes + chunk.length >= FILE_CHUNK_BYTES) {
        const take = FILE_CHUNK_BYTES - pendingBytes;
        pending.push(chunk.subarray(0, take));
        pendingBytes += take;
        chunk = chunk.subarray(take);
        await flush();
      }
      if (chunk.length) {
        pending.push(chunk);
        pendingBytes += chunk.length;
      }
    }
    await flush();
    await db.update(attachments).set({ size }).where(eq(attachments.id, id));
  } catch (err) {
    await discardStagedFiles(db, [id]).catch(() => undefined);
    throw err;
  }
  return { id, size, sha256: hash.digest('hex') };
}

/** The name and type a staged file is served under, once the whole mail has been read. */
export async function describeStagedFile(db: DbOrTx, id: string, meta: Pick<FileMeta, 'filename' | 'contentType'>): Promise<void> {
  await db
    .update(attachments)
    .set({ filename: meta.filename, contentType: meta.contentType })
    .where(and(eq(attachments.id, id), isNull(attachments.messageId)));
}

/** Staged files become the files of a stored message. */
export async function attachStagedFiles(db: DbOrTx, ids: string[], messageId: string): Promise<void> {
  if (!ids.length) return;
  await db
    .update(attachments)
    .set({ messageId })
    .where(and(inArray(attachments.id, ids), isNull(attachments.messageId)));
}

/** Staged files nobody will attach (a redelivered mail, a mail that was not stored). */
export async function discardStagedFiles(db: DbOrTx, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await db.delete(attachments).where(and(inArray(attachments.id, ids), isNull(attachments.messageId)));
}

/** Staged files a crash left behind; returns how many were removed. */
export async function sweepAbandonedFiles(db: DbOrTx, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - ABANDONED_AFTER_MS);
  const gone = await db
    .delete(attachments)
    .where(and(isNull(attachments.messageId), lt(attachments.createdAt, cutoff)))
    .returning({ id: attachments.id });
  return gone.length;
}

/** A file's bytes in order, one chunk per query (or the whole value of a file stored before chunking). */
export async function* readFile(db: DbOrTx, id: string): AsyncIterable<Buffer> {
  const [legacy] = await db
    .select({ data: attachments.data })
    .from(attachments)
    .where(and(eq(attachments.id, id), sql`${attachments.data} is not null`));
  if (legacy?.data) {
    yield legacy.data;
    return;
  }
  for (let seq = -1; ;) {
    const [chunk] = await db
      .select({ seq: fileChunks.seq, data: fileChunks.data })
      .from(fileChunks)
      .where(and(eq(fileChunks.fileId, id), gt(fileChunks.seq, seq)))
      .orderBy(asc(fileChunks.seq))
      .limit(1);
    if (!chunk) return;
    seq = chunk.seq;
    yield chunk.data;
  }
}
