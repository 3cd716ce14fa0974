import { randomUUID } from 'node:crypto';
import { ingestInbound } from '../../core/conversations/ingest-inbound.js';
import type { InboundMessage } from '../../core/conversations/types.js';
import type { Deps } from '../../core/ports.js';
import { stripNul } from '../../http/sanitize-input.js';
import { attachments } from '../../db/schema.js';
import { maskEmail } from '../../logger.js';
import { readEmail, type EmailEnvelope } from './parse-inbound.js';
import type { SenderAuth } from './sender-auth.js';
import type { ThreadSigner } from './threading.js';

export type ReceiveResult = 'stored' | 'duplicate' | 'ignored';

/** URL agents download a stored attachment from (authenticated; see attachments-router.ts). */
export const attachmentUrl = (id: string) => `/api/attachments/${id}`;

/**
 * One mail the SMTP server accepted → the core. Files are written after the
 * message (they need its id) under ids chosen up front, so the message that
 * reaches agents already lists them. Auto-replies that join nothing and
 * redeliveries store no files.
 */
export async function receiveEmail(
  deps: Deps,
  raw: Buffer,
  envelope: EmailEnvelope,
  signer: ThreadSigner,
  auth?: SenderAuth,
): Promise<ReceiveResult> {
  const parsed = stripNul(await readEmail(raw, envelope, signer));
  if (!parsed) {
    deps.log.info({ to: maskEmail(envelope.recipient) }, 'inbound mail without a sender address ignored');
    return 'ignored';
  }
  if (auth) withSenderAuth(parsed.inbound, auth);
  const files = parsed.files.map((f) => ({ ...f, id: randomUUID() }));
  parsed.inbound.media = files.map((f) => ({ url: attachmentUrl(f.id), contentType: f.contentType, name: f.filename, size: f.size }));

  const result = await ingestInbound(deps, parsed.inbound);
  if (result.duplicate) return 'duplicate';
  if (!result.message) return 'ignored';
  const messageId = result.message.id;
  // One row at a time keeps a single statement's parameters small for large files.
  for (const f of files) {
    await deps.db.insert(attachments).values({
      id: f.id,
      messageId,
      role: f.role,
      filename: f.filename,
      contentType: f.contentType,
      size: f.size,
      data: f.data,
    });
  }
  deps.log.info(
    { messageId, conversationId: result.conversation?.id, files: files.length, from: maskEmail(String(parsed.inbound.from.value)) },
    'inbound mail stored',
  );
  return 'stored';
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
