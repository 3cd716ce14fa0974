import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { convert as htmlToText } from 'html-to-text';
import { simpleParser, type AddressObject, type HeaderValue, type ParsedMail } from 'mailparser';
import sanitizeHtml from 'sanitize-html';
import type { InboundMessage } from '../../core/conversations/types.js';
import type { StoredFile } from '../../core/files/file-store.js';
import { parseMailStream, type FileSink, type StreamedMail } from './stream-mail.js';
import { decodeTnef, isTnef } from './tnef.js';
import { messageIdsIn, type ThreadSigner } from './threading.js';

/**
 * A file to keep with the stored message: its bytes in memory (`data`), or already written
 * through a FileSink while the mail was read (`storedId`).
 */
export type InboundFile = {
  role: 'attachment' | 'original';
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  data?: Buffer;
  storedId?: string;
};

export type ParsedEmail = { inbound: InboundMessage; files: InboundFile[] };

export type EmailEnvelope = {
  /** The RCPT TO address at our domain this copy is for (lower case). */
  recipient: string;
  /** MAIL FROM; '' for the null sender `<>` that bounces use. */
  mailFrom: string;
};

/** A received mail written to disk as it arrived (see smtp-inbound.ts). */
export type SpooledMail = { path: string; size: number; sha256: string };

/** The raw message as parseEmail needs it: in memory, or already stored. */
type RawMail = Buffer | StoredFile;

/** Forwarded messages parsed at most this deep and this many per mail (a forward of a forward…). */
const MAX_FORWARDED = 5;
const PARSE_OPTIONS = { skipImageLinks: true, skipTextToHtml: true };
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * Raw mail → our InboundMessage plus the files to keep: mailparser, then the
 * forwarded messages (`message/rfc822` parts) parsed too so their text can be
 * shown inline. With a sink, attachments and the original are written through it
 * as they are read (a spooled mail is never read into memory whole); without
 * one, everything stays in memory.
 */
export async function readEmail(
  source: Buffer | SpooledMail,
  envelope: EmailEnvelope,
  signer: ThreadSigner,
  sink?: FileSink,
): Promise<ParsedEmail | null> {
  const stream = () => (Buffer.isBuffer(source) ? Readable.from([source]) : createReadStream(source.path));
  const mail = await parseMailStream(stream(), sink, PARSE_OPTIONS);
  const forwarded: ParsedMail[] = [];
  for (const a of mail.attachments.filter((x) => x.contentType === 'message/rfc822').slice(0, MAX_FORWARDED)) {
    forwarded.push(await simpleParser(a.content, PARSE_OPTIONS));
  }
  const raw: RawMail = Buffer.isBuffer(source)
    ? source
    : sink
      ? await sink({ role: 'original', filename: 'original.eml', contentType: 'message/rfc822' }, stream())
      : await readFile(source.path);
  return parseEmail(mail, raw, envelope, signer, { forwarded });
}

/**
 * A parsed message (mailparser) → our InboundMessage plus the files to keep.
 * Pure: no I/O, so it is unit-tested on the .eml fixtures. Returns null for
 * mail with no usable sender address.
 */
export function parseEmail(
  mail: ParsedMail | StreamedMail,
  raw: RawMail,
  envelope: EmailEnvelope,
  signer: ThreadSigner,
  extra: { forwarded?: ParsedMail[] } = {},
): ParsedEmail | null {
  const sender = firstAddress(mail.from) ?? (envelope.mailFrom ? { address: envelope.mailFrom, name: '' } : undefined);
  if (!sender?.address) return null;

  const rawSha256 = Buffer.isBuffer(raw) ? sha256(raw) : raw.sha256;
  const messageId = mail.messageId ? normaliseId(mail.messageId) : `<sha256.${rawSha256}@switchboard.invalid>`;
  const references = messageIdsIn(mail.references);
  const inReplyTo = messageIdsIn(mail.inReplyTo);
  // The most recent message we signed, among those it answers.
  const conversationId = [...inReplyTo, ...[...references].reverse()].map((id) => signer.conversationOf(id)).find(Boolean);
  const threadRoot = references[0] ?? inReplyTo[0] ?? messageId;

  // Outlook's winmail.dat hides the files (and often the body) of the whole message.
  const tnef = mail.attachments
    .filter((a) => a.contentType === 'application/ms-tnef' || /^winmail\.dat$/i.test(a.filename ?? '') || isTnef(a.content))
    .map((a) => decodeTnef(a.content))
    .find((t) => t !== null);
  const encrypted = encryptionOf(mail);
  // mailparser makes text from HTML only when the HTML is the whole mail or one side of an
  // alternative; HTML alone inside multipart/mixed or /related would leave the agent a blank message.
  const fullText = (
    mail.text?.trim() ? mail.text : mail.html ? textFromHtml(mail.html) : tnef?.text || (tnef?.html ? textFromHtml(tnef.html) : '')
  )
    .replace(/\r\n/g, '\n')
    .trim();
  const html = mail.html ? sanitizeEmailHtml(mail.html) : tnef?.html ? sanitizeEmailHtml(tnef.html) : undefined;
  const forwardedText = (extra.forwarded ?? []).map(forwardedBlock);
  const localPart = envelope.recipient.split('@')[0].split('+')[0].toLowerCase();
  // Our own reply coming back (a contact address that forwards to us): never a new conversation.
  const autoReply = signer.conversationOf(messageId) ? 'our own mail looped back' : autoReplyReason(mail, envelope);

  const files: InboundFile[] = mail.attachments.map((a, i) => ({
    role: 'attachment',
    filename: safeFilename(a.filename) ?? `attachment-${i + 1}${extensionFor(a.contentType)}`,
    contentType: a.contentType || 'application/octet-stream',
    ...fileContent('stored' in a && a.stored ? a.stored : a.content),
  }));
  for (const f of tnef?.files ?? []) {
    files.push({
      role: 'attachment',
      filename: safeFilename(f.filename) ?? 'attachment.bin',
      contentType: f.contentType,
      ...fileContent(f.data),
    });
  }
  files.push({ role: 'original', filename: 'original.eml', contentType: 'message/rfc822', ...fileContent(raw) });

  const own = trimQuoted(fullText) || fullText;
  const body = encrypted
    ? `[Encrypted mail (${encrypted}): it cannot be read here. The original is attached as original.eml.]`
    : [own || (tnef?.rtfOnly ? '[Outlook rich-text message: its text could not be read; winmail.dat is attached.]' : ''), ...forwardedText]
        .filter(Boolean)
        .join('\n\n');

  return {
    inbound: {
      channel: 'email',
      // A redelivery is the same Message-ID *and* the same content; a different mail reusing an id is stored.
      externalId: `${messageId} sha256:${contentDigest(mail, fullText, files)}`,
      from: { kind: 'email', value: sender.address.toLowerCase(), name: sender.name || undefined },
      inboxAddress: envelope.recipient,
      threadKey: threadRoot,
      conversationId,
      queueHint: localPart,
      subject: mail.subject?.trim() || undefined,
      body,
      metadata: {
        email: {
          messageId,
          from: sender.address.toLowerCase(),
          inReplyTo: inReplyTo[0] ?? null,
          references,
          to: envelope.recipient,
          date: mail.date?.toISOString() ?? null,
          fullText,
          html: html ?? null,
          ...(autoReply ? { autoReply } : {}),
          ...(encrypted ? { encrypted } : {}),
          ...(forwardedText.length ? { forwarded: forwardedText.length } : {}),
          ...(tnef ? { tnef: { files: tnef.files.length, rtfOnly: tnef.rtfOnly } } : {}),
        },
      },
      // The conversation keeps who to answer, not the first mail's body.
      conversationMetadata: { email: { messageId, from: sender.address.toLowerCase(), to: envelope.recipient } },
      control: autoReply ? 'auto-reply' : undefined,
    },
    files,
  };
}

/** A file's bytes (in memory) or where they were stored, with the size and hash both have. */
function fileContent(content: Buffer | StoredFile): Pick<InboundFile, 'size' | 'sha256' | 'data' | 'storedId'> {
  return Buffer.isBuffer(content)
    ? { size: content.length, sha256: sha256(content), data: content }
    : { size: content.size, sha256: content.sha256, storedId: content.id };
}

/** Plain text an agent can read from HTML (links kept as "text [url]", images dropped). */
export function textFromHtml(html: string): string {
  return htmlToText(html, {
    wordwrap: false,
    selectors: [
      { selector: 'img', format: 'skip' },
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    ],
  });
}

/** A forwarded message shown inline, under the headers a person would look for. */
function forwardedBlock(m: ParsedMail): string {
  const from = firstAddress(m.from);
  const head = [
    '---------- Forwarded message ----------',
    from ? `From: ${from.name ? `${from.name} <${from.address}>` : from.address}` : null,
    m.date ? `Date: ${m.date.toUTCString()}` : null,
    m.subject ? `Subject: ${m.subject}` : null,
  ].filter(Boolean);
  const text = (m.text?.trim() ? m.text : m.html ? textFromHtml(m.html) : '').replace(/\r\n/g, '\n').trim();
  return `${head.join('\n')}\n\n${text}`;
}

/** OpenPGP (RFC 3156 multipart/encrypted) or S/MIME (enveloped-data): the content cannot be shown. */
function encryptionOf(mail: Pick<ParsedMail, 'headers'>): 'OpenPGP' | 'S/MIME' | undefined {
  const type = headerText(mail.headers.get('content-type')).toLowerCase();
  const params = JSON.stringify(mail.headers.get('content-type') ?? '').toLowerCase();
  if (type.startsWith('multipart/encrypted')) return 'OpenPGP';
  if (/^application\/(x-)?pkcs7-mime/.test(type) && !params.includes('signed-data')) return 'S/MIME';
  return undefined;
}

/** What makes two mails the same mail, whatever trace headers a relay added: sender, subject, date, text, HTML, files. */
function contentDigest(mail: ParsedMail | StreamedMail, text: string, files: InboundFile[]): string {
  const h = createHash('sha256');
  for (const part of [firstAddress(mail.from)?.address ?? '', mail.subject ?? '', mail.date?.toISOString() ?? '', text, mail.html || '']) {
    h.update(part).update('\0');
  }
  // Attachments by content; not the original .eml, whose trace headers differ per relay.
  for (const f of files.filter((x) => x.role === 'attachment')) h.update(f.sha256).update('\0');
  return h.digest('hex').slice(0, 16);
}

/**
 * Why this is machine mail (RFC 3834 `Auto-Submitted`, vendor auto-reply
 * headers, bulk `Precedence`, RFC 3464 delivery reports, the null sender),
 * or undefined for mail a person wrote.
 */
export function autoReplyReason(mail: Pick<ParsedMail, 'headers' | 'from'>, envelope: Pick<EmailEnvelope, 'mailFrom'>): string | undefined {
  const h = (name: string) => headerText(mail.headers.get(name)).toLowerCase();
  const submitted = h('auto-submitted');
  if (submitted && submitted !== 'no') return `auto-submitted: ${submitted}`;
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponder']) if (mail.headers.has(name)) return name;
  if (/^(bulk|junk|list|auto_reply)$/.test(h('precedence'))) return `precedence: ${h('precedence')}`;
  if (h('content-type').startsWith('multipart/report')) return 'delivery report';
  if (envelope.mailFrom === '') return 'null sender';
  const from = firstAddress(mail.from)?.address.toLowerCase() ?? '';
  if (/^(mailer-daemon|postmaster)@/.test(from)) return 'mailer-daemon';
  return undefined;
}

/** Keeps what the agent wrote: drops quoted history, "On … wrote:" lines, forwarded headers and signatures. */
export function trimQuoted(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let cut = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    const two = `${line} ${lines[i + 1]?.trim() ?? ''}`;
    const startsHistory =
      /^-- ?$/.test(lines[i].replace(/\s+$/, ' ')) ||
      /^-{2,}\s*(original message|forwarded message)\s*-{2,}/i.test(line) ||
      /^_{10,}$/.test(line) ||
      /^(on|le|am|el|op)\s.{0,300}(wrote|a écrit|schrieb|escribió|schreef)\s?:$/i.test(line) ||
      (/^on\s/i.test(line) && /wrote:$/i.test(two) && !/wrote:$/i.test(line)) ||
      (/^from:\s/i.test(line) && lines.slice(i + 1, i + 5).some((l) => /^(sent|date|to|subject):\s/i.test(l.trim()))) ||
      (line.startsWith('>') && lines.slice(i).every((l) => !l.trim() || l.trim().startsWith('>')));
    if (startsHistory) {
      cut = i;
      break;
    }
  }
  const kept = lines.slice(0, cut);
  while (kept.length && !kept[kept.length - 1].trim()) kept.pop();
  // Mobile signatures sit on the last line.
  if (kept.length && /^sent from my /i.test(kept[kept.length - 1].trim())) kept.pop();
  return kept.join('\n').trim();
}

/** HTML an agent may look at: formatting kept, scripts, styles, event handlers, forms and remote images gone. */
export function sanitizeEmailHtml(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: sanitizeHtml.defaults.allowedTags.filter((t) => t !== 'img'),
    allowedAttributes: { a: ['href', 'title', 'rel', 'target'], td: ['colspan', 'rowspan'], th: ['colspan', 'rowspan'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }) },
  });
}

function firstAddress(field: AddressObject | AddressObject[] | undefined): { address: string; name: string } | undefined {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  for (const obj of list) {
    for (const a of obj.value) if (a.address) return { address: a.address, name: a.name ?? '' };
  }
  return undefined;
}

function headerText(v: HeaderValue | undefined): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v.trim();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map((x) => headerText(x as HeaderValue)).join(', ');
  if (typeof v === 'object' && 'value' in v && typeof (v as { value: unknown }).value === 'string')
    return (v as { value: string }).value.trim();
  if (typeof v === 'object' && 'text' in v) {
    const text = (v as { text: unknown }).text;
    return typeof text === 'string' ? text.trim() : '';
  }
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

function normaliseId(id: string): string {
  const t = id.trim();
  return t.startsWith('<') ? t : `<${t}>`;
}

function safeFilename(name: string | undefined): string | undefined {
  const cleaned = name?.replace(/[\\/\r\n\0"]/g, '_').trim();
  return cleaned ? cleaned.slice(0, 200) : undefined;
}

function extensionFor(type: string): string {
  const known: Record<string, string> = {
    'image/png': '.png',
    'image/jpeg': '.jpg',
    'application/pdf': '.pdf',
    'text/plain': '.txt',
    'message/delivery-status': '.txt',
  };
  return known[type] ?? '.bin';
}
