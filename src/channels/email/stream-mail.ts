import type { Readable } from 'node:stream';
import { MailParser, type Attachment, type AttachmentStream, type MailParserOptions, type ParsedMail } from 'mailparser';
import type { FileMeta, StoredFile } from '../../core/files/file-store.js';
import { isTnef } from './tnef.js';

/** Writes one file's bytes somewhere lasting as they stream by. */
export type FileSink = (meta: FileMeta, content: AsyncIterable<Buffer>) => Promise<StoredFile>;

/** An attachment either in memory (`content`) or already written through the sink (`stored`, `content` empty). */
export type MailAttachment = Attachment & { stored?: StoredFile };
export type StreamedMail = Omit<ParsedMail, 'attachments'> & { attachments: MailAttachment[] };

/**
 * mailparser's simpleParser, except that attachments go to `sink` (when given) as they are read
 * instead of being collected in memory. Parts we must open to read the mail stay in memory:
 * forwarded messages (message/rfc822) and Outlook's winmail.dat (TNEF), both within the SIZE limit.
 * (cid: links in the HTML are left as they are: the desk's sanitised HTML drops images anyway.)
 */
export function parseMailStream(input: Readable, sink: FileSink | undefined, options: MailParserOptions) {
  return new Promise<StreamedMail>((resolve, reject) => {
    const parser = new MailParser(options);
    const mail: StreamedMail = { attachments: [], headers: new Map(), headerLines: [], html: false };
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      input.unpipe(parser);
      input.destroy();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    parser.on('error', fail);
    input.once('error', fail);
    parser.on('headers', (headers) => {
      mail.headers = headers;
      mail.headerLines = parser.headerLines || [];
    });
    parser.on('data', (data) => {
      if (data.type === 'text') {
        if (data.text !== undefined) mail.text = data.text;
        if (data.html !== undefined) mail.html = data.html;
        if (data.textAsHtml !== undefined) mail.textAsHtml = data.textAsHtml;
        return;
      }
      // The parser goes on to the next part only after release(): read this one to its end first.
      keep(data, sink).then(
        (kept) => {
          const { content: _stream, release, ...common } = data;
          mail.attachments.push({ ...common, ...kept, checksum: data.checksum ?? '', release: null });
          release?.();
        },
        (err: unknown) => {
          data.content.resume();
          data.release?.();
          fail(err);
        },
      );
    });
    parser.on('end', () => {
      if (settled) return;
      const h = mail.headers;
      const header = <T>(name: string) => (h.has(name) ? (h.get(name) as T) : undefined);
      Object.assign(mail, {
        subject: header('subject'),
        references: header('references'),
        date: header('date'),
        to: header('to'),
        from: header('from'),
        cc: header('cc'),
        bcc: header('bcc'),
        messageId: header('message-id'),
        inReplyTo: header('in-reply-to'),
        replyTo: header('reply-to'),
      });
      settled = true;
      resolve(mail);
    });
    input.pipe(parser);
  });
}

/** Reads one attachment to its end: into memory when the mail needs its content (or there is no sink), else into the sink. */
async function keep(a: AttachmentStream, sink: FileSink | undefined): Promise<{ content: Buffer; size: number; stored?: StoredFile }> {
  const chunks = a.content[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await chunks.next();
  const head = first.done ? Buffer.alloc(0) : first.value;
  const rest: AsyncIterable<Buffer> = { [Symbol.asyncIterator]: () => chunks };
  if (!sink || mustOpen(a, head)) {
    const parts = [head];
    for await (const chunk of rest) parts.push(chunk);
    const content = Buffer.concat(parts);
    return { content, size: content.length };
  }
  const stored = await sink({ role: 'attachment', filename: a.filename ?? '', contentType: a.contentType }, prepend(head, rest));
  return { content: Buffer.alloc(0), size: stored.size, stored };
}

function mustOpen(a: Pick<AttachmentStream, 'contentType' | 'filename'>, head: Buffer): boolean {
  return (
    a.contentType === 'message/rfc822' ||
    a.contentType === 'application/ms-tnef' ||
    /^winmail\.dat$/i.test(a.filename ?? '') ||
    isTnef(head)
  );
}

async function* prepend(head: Buffer, rest: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  if (head.length) yield head;
  yield* rest;
}
