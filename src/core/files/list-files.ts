import { and, asc, eq, sql } from 'drizzle-orm';
import type { Config } from '../../config.js';
import type { DbOrTx } from '../../db/client.js';
import { messages } from '../../db/schema.js';
import type { Actor } from '../agents/actor.js';
import { loadVisibleConversation } from '../conversations/load.js';
import { UUID } from '../patterns.js';
import { recordingSidOf } from './recordings.js';
import { signFileLink, type FileKind } from './signed-links.js';

export type ConversationFile = {
  messageId: string;
  /** Position in the message's `media`. */
  index: number;
  kind: FileKind;
  name: string | null;
  contentType: string | null;
  size: number | null;
  /** Signed, short-lived: opens without the bearer token. */
  url: string;
  expiresAt: string;
};

const ATTACHMENT_URL = /^\/api\/attachments\/([^/?#]+)$/;

/**
 * Signed links to every attachment and recording of a conversation, for an agent who may see
 * it (the same rule as the conversation itself: 404 unknown, 403 another queue's). This is
 * where authorisation happens; the links are then enough on their own until they expire.
 * Media we do not hold or proxy (MMS URLs) are not listed.
 */
export async function listConversationFiles(db: DbOrTx, config: Pick<Config, 'files'>, actor: Actor, conversationId: string) {
  const c = await loadVisibleConversation(db, actor, conversationId);
  const rows = await db
    .select({ id: messages.id, channel: messages.channel, media: messages.media, metadata: messages.metadata })
    .from(messages)
    .where(and(eq(messages.conversationId, c.id), sql`jsonb_array_length(${messages.media}) > 0`))
    .orderBy(asc(messages.createdAt), asc(messages.id));
  const now = Date.now();
  const files: ConversationFile[] = [];
  for (const m of rows) {
    const recordingSid = recordingSidOf(m);
    m.media.forEach((x, index) => {
      const attachmentId = ATTACHMENT_URL.exec(x.url)?.[1];
      const target: { kind: FileKind; id: string } | null =
        attachmentId && UUID.test(attachmentId)
          ? { kind: 'attachment', id: attachmentId }
          : recordingSid && x.contentType?.startsWith('audio/')
            ? { kind: 'recording', id: m.id }
            : null;
      if (!target) return;
      const link = signFileLink(config, target.kind, target.id, now);
      files.push({
        messageId: m.id,
        index,
        kind: target.kind,
        name: x.name ?? null,
        contentType: x.contentType ?? null,
        size: x.size ?? null,
        url: link.url,
        expiresAt: link.expiresAt,
      });
    });
  }
  return { conversation: c, files };
}
