import { ingestInbound } from '../../core/conversations/ingest-inbound.js';
import type { InboundMessage } from '../../core/conversations/types.js';
import { describeStagedFile, discardStagedFiles, stageFile, type FileMeta } from '../../core/files/file-store.js';
import type { Deps } from '../../core/ports.js';
import { stripNul } from '../../http/sanitize-input.js';
import { maskEmail } from '../../logger.js';
import { readEmail, type EmailEnvelope, type SpooledMail } from './parse-inbound.js';
import type { SenderAuth } from './sender-auth.js';
import type { ThreadSigner } from './threading.js';

export type ReceiveResult = 'stored' | 'duplicate' | 'ignored';

/** URL agents download a stored attachment from (authenticated; see attachments-router.ts). */
export const attachmentUrl = (id: string) => `/api/attachments/${id}`;

/**
 * One mail the SMTP server accepted → the core. Its files are written first, as the mail is read
 * (staged, chunk by chunk: a spooled mail is never in memory whole), under ids the message lists,
 * and become the message's files in the transaction that stores it. A redelivery, or mail that
 * joins nothing, leaves its staged files behind and they are removed here.
 */
export async function receiveEmail(
  deps: Deps,
  source: Buffer | SpooledMail,
  envelope: EmailEnvelope,
  signer: ThreadSigner,
  auth?: SenderAuth,
): Promise<ReceiveResult> {
  const staged: string[] = [];
  const stage = async (meta: FileMeta, content: AsyncIterable<Buffer> | Iterable<Buffer>) => {
    const file = await stageFile(deps.db, meta, content);
    staged.push(file.id);
    return file;
  };
  try {
    const parsed = stripNul(await readEmail(source, envelope, signer, stage));
    if (!parsed) {
      deps.log.info({ to: maskEmail(envelope.recipient) }, 'inbound mail without a sender address ignored');
      return 'ignored';
    }
    if (auth) withSenderAuth(parsed.inbound, auth);
    const ids: string[] = [];
    for (const f of parsed.files) {
      const meta = { role: f.role, filename: f.filename, contentType: f.contentType };
      // Streamed files get the name the parser settled on; files still in memory (those the mail
      // had to be opened for, TNEF contents, the original of a mail given whole) are written now.
      if (f.storedId) await describeStagedFile(deps.db, f.storedId, meta);
      ids.push(f.storedId ?? (await stage(meta, [f.data ?? Buffer.alloc(0)])).id);
    }
    parsed.inbound.media = parsed.files.map((f, i) => ({
      url: attachmentUrl(ids[i]),
      contentType: f.contentType,
      name: f.filename,
      size: f.size,
    }));
    parsed.inbound.stagedFileIds = ids;

    const result = await ingestInbound(deps, parsed.inbound);
    if (result.duplicate) return 'duplicate';
    if (!result.message) return 'ignored';
    staged.length = 0;
    deps.log.info(
      {
        messageId: result.message.id,
        conversationId: result.conversation?.id,
        files: ids.length,
        from: maskEmail(String(parsed.inbound.from.value)),
      },
      'inbound mail stored',
    );
    return 'stored';
  } finally {
    // Whatever was not attached to a stored message (a redelivery, mail that joined nothing, a failure).
    await discardStagedFiles(deps.db, staged).catch((err: unknown) => deps.log.warn({ err }, 'staged files not removed: swept later'));
  }
}

/**
 * The verdict travels with the message (the desk shows it on each mail). A mail failing DMARC
 * is an unverified sender for the core, which keeps it out of the contact's conversations.
 */
function withSenderAuth(inbound: InboundMessage, auth: SenderAuth) {
  const email = (inbound.metadata?.email ?? {}) as Record<string, unknown>;
  inbound.metadata = { ...inbound.metadata, email: { ...email, auth } };
  inbound.unverifiedSender = auth.verdict === 'fail';
}
