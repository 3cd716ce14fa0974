import { Router } from 'express';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { canSee } from '../../core/agents/actor.js';
import { recordConversationView } from '../../core/conversations/record-view.js';
import { forbidden, notFound } from '../../core/errors.js';
import { loadAttachment } from '../../core/files/attachment-content.js';
import { listConversationFiles } from '../../core/files/list-files.js';
import { recordingSidOf } from '../../core/files/recordings.js';
import { checkFileLink, type FileKind } from '../../core/files/signed-links.js';
import { UUID } from '../../core/patterns.js';
import { toPublicConversation, type Deps } from '../../core/ports.js';
import { conversations, messages } from '../../db/schema.js';
import { actorOf, auditContext, parse } from '../middleware.js';
import { sendAttachment, sendRecording } from '../send-file.js';
import './files-openapi.js';

const ZId = z.object({ id: z.string().regex(UUID, 'must be a UUID') });

/** A voice message's recording and who may hear it. */
async function loadRecording(deps: Deps, messageId: string) {
  const [row] = await deps.db
    .select({
      id: messages.id,
      channel: messages.channel,
      media: messages.media,
      metadata: messages.metadata,
      queueKey: conversations.queueKey,
      assigneeId: conversations.assigneeId,
    })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(eq(messages.id, messageId));
  const sid = row ? recordingSidOf(row) : null;
  if (!row || !sid) throw notFound('recording');
  const name = row.media.find((x) => x.contentType?.startsWith('audio/'))?.name ?? `${sid}.mp3`;
  return { ...row, sid, name };
}

/**
 * Signed links (no bearer: an <img>, <a> or <audio> cannot send one). The signature is the
 * permission, given by `GET /api/conversations/:id/files` to an agent who may see the file;
 * a forged or expired link answers 403.
 */
export function signedFilesRouter(deps: Deps): Router {
  const r = Router();
  r.get('/files/:kind/:id', async (req, res) => {
    const kind = req.params.kind as FileKind;
    const id = String(req.params.id);
    if ((kind !== 'attachment' && kind !== 'recording') || !UUID.test(id)) throw notFound('file');
    const refused = checkFileLink(deps.config, kind, id, req.query);
    if (refused)
      throw forbidden(refused === 'expired' ? 'this link has expired: open the file from the desk again' : 'this link is not valid');
    if (kind === 'attachment') {
      const file = await loadAttachment(deps.db, id);
      if (!file) throw notFound('attachment');
      return sendAttachment(res, file);
    }
    const rec = await loadRecording(deps, id);
    return sendRecording(deps, req, res, rec.sid, rec.name);
  });
  return r;
}

/** Bearer routes: issuing the links, and a message's recording for API clients. */
export function filesRouter(deps: Deps): Router {
  const r = Router();
  r.get('/conversations/:id/files', async (req, res) => {
    const actor = actorOf(req);
    const { conversation, files } = await listConversationFiles(deps.db, deps.config, actor, parse(ZId, req.params).id);
    await recordConversationView(deps.db, auditContext(req), actor, toPublicConversation(conversation));
    res.set('cache-control', 'private, no-store').json({ files });
  });
  r.get('/messages/:id/recording', async (req, res) => {
    const rec = await loadRecording(deps, parse(ZId, req.params).id);
    if (!canSee(actorOf(req), rec)) throw forbidden('this recording belongs to a conversation in a queue you do not serve');
    return sendRecording(deps, req, res, rec.sid, rec.name);
  });
  return r;
}
