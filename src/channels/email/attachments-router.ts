import { Router } from 'express';
import { canSee } from '../../core/agents/actor.js';
import { forbidden, notFound } from '../../core/errors.js';
import { loadAttachment } from '../../core/files/attachment-content.js';
import { UUID } from '../../core/patterns.js';
import type { Deps } from '../../core/ports.js';
import { actorOf, requireAuth } from '../../http/middleware.js';
import { addOpenApiPaths } from '../../http/openapi.js';
import { sendAttachment } from '../../http/send-file.js';

/**
 * `GET /api/attachments/:id`: a file that came with a message, as a download,
 * to agents who may see its conversation (same rule as the conversation itself).
 * Browsers open files through signed links instead (`GET /api/conversations/:id/files`).
 */
export function attachmentsRouter(deps: Deps): Router {
  const r = Router();
  r.get('/api/attachments/:id', requireAuth(deps), async (req, res) => {
    const actor = actorOf(req);
    const id = String(req.params.id);
    if (!UUID.test(id)) throw notFound('attachment');
    const file = await loadAttachment(deps.db, id);
    if (!file) throw notFound('attachment');
    if (!canSee(actor, file)) throw forbidden('this attachment belongs to a conversation in a queue you do not serve');
    await sendAttachment(res, file);
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
