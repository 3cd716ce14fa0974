import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spoolMail } from '../src/channels/email/mail-spool.js';
import { FILE_CHUNK_BYTES, stageFile, sweepAbandonedFiles } from '../src/core/files/file-store.js';
import { attachments, fileChunks, messages } from '../src/db/schema.js';
import { eventually, startTestApp, type TestApp } from './helpers/harness.js';
import { inboundMail, type Mx } from './helpers/inbound-mail.js';

const DOMAIN = 'help.example.org';
let app: TestApp;
let mx: Mx;

beforeAll(async () => {
  const mail = await inboundMail(DOMAIN);
  mx = mail.mx;
  app = await startTestApp('email-large-files', mail.env);
}, 60_000);
afterAll(async () => {
  mx?.close();
  await app?.stop();
});

const db = () => app.sb.deps.db;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const byMessageId = (id: string) =>
  eventually(
    async () =>
      (
        await db()
          .select()
          .from(messages)
          .where(sql`${messages.metadata}->'email'->>'messageId' = ${id}`)
      )[0],
  );
const chunksOf = (fileId: string) =>
  db()
    .select({ seq: fileChunks.seq, bytes: sql<number>`length(${fileChunks.data})` })
    .from(fileChunks)
    .where(eq(fileChunks.fileId, fileId))
    .orderBy(fileChunks.seq);
const staged = () => db().select({ id: attachments.id }).from(attachments).where(isNull(attachments.messageId));

describe('a mail with a large attachment', () => {
  const scan = randomBytes(6 * 1024 * 1024 + 12_345);
  const mail = {
    envelope: { from: 'ana@example.net', to: [`it@${DOMAIN}`] },
    from: 'Ana <ana@example.net>',
    to: `it@${DOMAIN}`,
    subject: 'Scan of the signed contract',
    text: 'The scan is attached.',
    messageId: '<large.scan.1@example.net>',
    date: new Date('2026-11-26T10:00:00Z'),
    attachments: [{ filename: 'contract-scan.tif', content: scan, contentType: 'image/tiff' }],
  };

  it('is stored in chunks as it streams (nothing held whole) and downloads byte for byte', async () => {
    const sent = await mx.sendMail(mail);
    expect(sent.response).toMatch(/^250/);
    const m = await byMessageId('<large.scan.1@example.net>');
    expect(m.media.map((x) => [x.name, x.size])).toEqual([
      ['contract-scan.tif', scan.length],
      ['original.eml', expect.any(Number)],
    ]);

    const rows = await db().select().from(attachments).where(eq(attachments.messageId, m.id));
    const tif = rows.find((r) => r.filename === 'contract-scan.tif')!;
    expect(tif).toMatchObject({ size: scan.length, data: null, contentType: 'image/tiff' });
    const chunks = await chunksOf(tif.id);
    expect(chunks).toHaveLength(Math.ceil(scan.length / FILE_CHUNK_BYTES));
    expect(chunks.every((c, i) => c.seq === i && c.bytes <= FILE_CHUNK_BYTES)).toBe(true);
    const original = rows.find((r) => r.role === 'original')!;
    // base64 makes the mail a third larger than the file; it is chunked the same way.
    expect(original.size).toBeGreaterThan(scan.length * 1.3);
    expect((await chunksOf(original.id)).length).toBeGreaterThan(30);

    const ivy = await app.agent({ name: 'Ivy', queues: ['it'] });
    const res = await fetch(app.url + m.media[0].url, { headers: { authorization: `Bearer ${ivy.token}` } });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length') ?? scan.length)).toBe(scan.length);
    expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(sha256(scan));
    expect(await staged()).toEqual([]);
  });

  it('delivered again is stored once and leaves no staged files behind', async () => {
    const before = await db()
      .select({ n: sql<number>`count(*)::int` })
      .from(fileChunks);
    expect((await mx.sendMail(mail)).response).toMatch(/^250/);
    const after = await db()
      .select({ n: sql<number>`count(*)::int` })
      .from(fileChunks);
    expect(after[0].n).toBe(before[0].n);
    expect(await staged()).toEqual([]);
    const copies = await db()
      .select()
      .from(messages)
      .where(sql`${messages.metadata}->'email'->>'messageId' = '<large.scan.1@example.net>'`);
    expect(copies).toHaveLength(1);
  });
});

describe('files the mail must be opened for', () => {
  it('an Outlook winmail.dat is read in memory and the files inside it are stored and served', async () => {
    const raw = readFileSync(new URL('./fixtures/email/winmail-dat.eml', import.meta.url));
    expect((await mx.sendMail({ envelope: { from: 'ana@example.org', to: [`it@${DOMAIN}`] }, raw })).response).toMatch(/^250/);
    const m = await eventually(async () => {
      const [row] = await db()
        .select()
        .from(messages)
        .where(sql`${messages.metadata}->'email' ? 'tnef'`);
      return row;
    });
    const names = m.media.map((x) => x.name);
    expect(names).toContain('winmail.dat');
    expect(names).toContain('volunteer-form.pdf');
    const hr = await app.agent({ name: 'Hana', queues: ['it'] });
    const form = m.media.find((x) => x.name === 'volunteer-form.pdf')!;
    const res = await fetch(app.url + form.url, { headers: { authorization: `Bearer ${hr.token}` } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).toString()).toContain('%PDF-1.4');
  });
});

describe('names', () => {
  it('a part without a file name is stored and served under the name the desk shows', async () => {
    const pdf = Buffer.from('%PDF-1.4 receipt');
    await mx.sendMail({
      envelope: { from: 'sam@example.net', to: [`it@${DOMAIN}`] },
      from: 'sam@example.net',
      subject: 'Receipt',
      text: 'See attached.',
      messageId: '<nameless.1@example.net>',
      attachments: [{ content: pdf, contentType: 'application/pdf', filename: false }],
    });
    const m = await byMessageId('<nameless.1@example.net>');
    expect(m.media[0]).toMatchObject({ name: 'attachment-1.pdf', contentType: 'application/pdf' });
    const [row] = await db()
      .select()
      .from(attachments)
      .where(and(eq(attachments.messageId, m.id), eq(attachments.role, 'attachment')));
    expect(row).toMatchObject({ filename: 'attachment-1.pdf', contentType: 'application/pdf', size: pdf.length });
  });
});

describe('staged files', () => {
  it('a crash leaves staged files; the sweep removes those older than an hour with their chunks, and keeps recent ones', async () => {
    const meta = { role: 'attachment' as const, filename: 'half.bin', contentType: 'application/octet-stream' };
    const old = await stageFile(db(), meta, [randomBytes(FILE_CHUNK_BYTES + 1)]);
    const recent = await stageFile(db(), meta, [randomBytes(10)]);
    await db()
      .update(attachments)
      .set({ createdAt: new Date(Date.now() - 2 * 60 * 60 * 1000) })
      .where(eq(attachments.id, old.id));
    expect((await chunksOf(old.id)).length).toBe(2);

    expect(await sweepAbandonedFiles(db())).toBe(1);
    expect(await chunksOf(old.id)).toEqual([]);
    expect(
      await db()
        .select()
        .from(attachments)
        .where(and(eq(attachments.id, recent.id), isNull(attachments.messageId))),
    ).toHaveLength(1);
  });

  it('a stream that fails half way leaves no staged file', async () => {
    async function* broken() {
      yield randomBytes(FILE_CHUNK_BYTES * 2);
      throw new Error('client went away');
    }
    const before = (await staged()).length;
    await expect(stageFile(db(), { role: 'attachment', filename: 'x', contentType: 'x/y' }, broken())).rejects.toThrow('client went away');
    expect((await staged()).length).toBe(before);
  });
});

describe('the spool', () => {
  it('writes what arrives to a private file, and past the limit stops writing but drains the stream', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spool-test-'));
    const body = randomBytes(300_000);
    const ok = await spoolMail(Readable.from([body.subarray(0, 100_000), body.subarray(100_000)]), 1_000_000, dir);
    expect(ok).toMatchObject({ size: body.length, sha256: sha256(body), tooLarge: false });
    expect(readFileSync(ok.path).equals(body)).toBe(true);

    const big = await spoolMail(Readable.from([body, body, body, body]), 1_000_000, dir);
    expect(big).toMatchObject({ size: 1_200_000, tooLarge: true });
    expect(readFileSync(big.path).length).toBeLessThanOrEqual(1_000_000);
    expect((await readdir(dir)).length).toBe(2);
    expect((await stat(ok.path)).mode & 0o777).toBe(0o600);
  });
});
