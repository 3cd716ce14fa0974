import { Router } from 'express';
import { eq } from 'drizzle-orm';
import { canSee } from '../../core/agents/actor.js';
import { forbidden, notFound } from '../../core/errors.js';
import { UUID } from '../../core/patterns.js';
import type { Deps } from '../../core/ports.js';
import { attachments, conversations, messages } from '../../db/schema.js';
import { actorOf, requireAuth } from '../../http/middleware.js';
import { addOpenApiPaths } from '../../http/openapi.js';

/** Types a browser may be told as they are; anything else (HTML, SVG, scripts…) is served as opaque bytes. */
const PASS_THROUGH_TYPES = /^(image\/(png|jpeg|gif|webp)|application\/pdf|text\/plain|text\/csv|message\/rfc822)$/i;

/**
 * `GET /api/attachments/:id`: a file that came with a message, as a download,
 * to agents who may see its conversation (same rule as the conversation itself).
 */
export function attachmentsRouter(deps: Deps): Router {
  const r = Router();
  r.get('/api/attachments/:id', requireAuth(deps), async (req, res) => {
    const actor = actorOf(req);
    const id = String(req.params.id);
    if (!UUID.test(id)) throw notFound('attachment');
    const [row] = await deps.db
      .select({
        filename: attachments.filename,
        contentType: attachments.contentType,
        size: attachments.size,
        data: attachments.data,
        queueKey: conversations.queueKey,
        assigneeId: conversations.assigneeId,
      })
      .from(attachments)
      .innerJoin(messages, eq(messages.id, attachments.messageId))
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .where(eq(attachments.id, id));
    if (!row) throw notFound('attachment');
    if (!canSee(actor, row)) throw forbidden('this attachment belongs to a conversation in a queue you do not serve');
    const type = PASS_THROUGH_TYPES.test(row.contentType) ? row.contentType : 'application/octet-stream';
    res.set({
      'content-type': type,
      'content-length': String(row.data.length),
      'content-disposition': `attachment; filename="${row.filename.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(row.filename)}`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': 'private, no-store',
    });
    res.end(row.data);
  });
  return r;
}

addOpenApiPaths({
  '/api/attachments/{id}': {
    get: {
      summary: 'Download a file that came with a message (email attachment or the original .eml); agents who may see the conversation only',
      tags: ['conversations'],
      security: [{ bearer: [] }],
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      responses: {
        '200': {
          description: 'the file, as an attachment download',
          content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
        },
        '401': { $ref: '#/components/responses/Error' },
        '403': { $ref: '#/components/responses/Error' },
        '404': { $ref: '#/components/responses/Error' },
      },
    },
  },
});
