import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { attachments, conversations, messages } from '../../db/schema.js';
import { readFile } from './file-store.js';

/** A stored attachment with what decides who may open it, its bytes read on demand. */
export type StoredAttachment = {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  conversationId: string;
  queueKey: string;
  assigneeId: string | null;
  /** The bytes, in order. */
  content(): AsyncIterable<Buffer>;
};

export async function loadAttachment(db: DbOrTx, id: string): Promise<StoredAttachment | null> {
  const [row] = await db
    .select({
      id: attachments.id,
      filename: attachments.filename,
      contentType: attachments.contentType,
      size: attachments.size,
      conversationId: conversations.id,
      queueKey: conversations.queueKey,
      assigneeId: conversations.assigneeId,
    })
    .from(attachments)
    .innerJoin(messages, eq(messages.id, attachments.messageId))
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(eq(attachments.id, id));
  if (!row) return null;
  return {
    ...row,
    content: () => readFile(db, id),
  };
}
