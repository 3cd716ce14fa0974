import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Request, Response } from 'express';
import { AppError, notFound } from '../core/errors.js';
import type { StoredAttachment } from '../core/files/attachment-content.js';
import type { Deps } from '../core/ports.js';

/** Types a browser may be told as they are; anything else (HTML, SVG, scripts…) is served as opaque bytes. */
const PASS_THROUGH_TYPES = /^(image\/(png|jpeg|gif|webp)|application\/pdf|text\/plain|text\/csv|message\/rfc822)$/i;

/** Files from strangers never run as a page of ours, whatever their type claims. */
const UNTRUSTED_FILE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
  'cache-control': 'private, no-store',
};

const disposition = (how: 'attachment' | 'inline', filename: string) =>
  `${how}; filename="${filename.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(filename)}`;

/** Streams a stored attachment as a download (an <img> still shows a pass-through image). */
export async function sendAttachment(res: Response, file: StoredAttachment): Promise<void> {
  res.set({
    ...UNTRUSTED_FILE_HEADERS,
    'content-type': PASS_THROUGH_TYPES.test(file.contentType) ? file.contentType : 'application/octet-stream',
    'content-length': String(file.size),
    'content-disposition': disposition('attachment', file.filename),
  });
  await pipeline(Readable.from(file.content()), res).catch(() => {
    // The client went away mid-download; nothing to answer.
  });
}

const RANGE = /^bytes=(\d+-\d*|-\d+)$/;

/**
 * Streams a recording from the vendor through us, passing one byte range on (206 with
 * Content-Range), so an <audio> element can seek. Multi-range requests are answered whole.
 */
export async function sendRecording(deps: Deps, req: Request, res: Response, recordingSid: string, name: string): Promise<void> {
  if (!deps.calls) throw new AppError('not_found', 'recordings are served when Twilio is configured');
  const rangeHeader = req.headers.range?.trim();
  const range = rangeHeader && RANGE.test(rangeHeader) ? rangeHeader : undefined;
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  let media;
  try {
    media = await deps.calls.fetchRecording(recordingSid, { range, signal: abort.signal });
  } catch (err) {
    deps.log.warn({ err, recordingSid }, 'recording could not be fetched');
    throw new AppError('unavailable', 'the recording could not be fetched from the telephony provider; try again');
  }
  if (media.status === 404) {
    await media.body?.cancel();
    throw notFound('recording');
  }
  if (media.status === 416) {
    await media.body?.cancel();
    res
      .status(416)
      .set({ 'content-range': media.contentRange ?? 'bytes */*', 'accept-ranges': 'bytes' })
      .end();
    return;
  }
  if ((media.status !== 200 && media.status !== 206) || !media.body) {
    await media.body?.cancel();
    deps.log.warn({ status: media.status, recordingSid }, 'recording refused by the telephony provider');
    throw new AppError('unavailable', `the telephony provider answered ${media.status} for this recording`);
  }
  res.status(media.status).set({
    ...UNTRUSTED_FILE_HEADERS,
    'content-type': media.contentType?.startsWith('audio/') ? media.contentType : 'audio/mpeg',
    'accept-ranges': 'bytes',
    'content-disposition': disposition('inline', name),
    ...(media.contentLength ? { 'content-length': media.contentLength } : {}),
    ...(media.status === 206 && media.contentRange ? { 'content-range': media.contentRange } : {}),
  });
  await pipeline(Readable.fromWeb(media.body as WebReadableStream), res).catch(() => {
    // The player moved on (a seek aborts the previous request): not an error.
  });
}
