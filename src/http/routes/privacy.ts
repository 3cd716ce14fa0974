import { Router } from 'express';
import { z } from 'zod';
import { eraseContact } from '../../core/privacy/erase-contact.js';
import type { Deps } from '../../core/ports.js';
import { addOpenApiPaths } from '../openapi.js';
import { auditContext, parse, requireRoles } from '../middleware.js';

const ZId = z.object({ id: z.string().uuid('id must be a UUID') });

/** Erasure (contract: "Access"). Retention runs as a nightly job (src/core/privacy/retention.ts). */
export function privacyRouter(deps: Deps): Router {
  const r = Router();

  r.delete('/contacts/:id', requireRoles('admin'), async (req, res) => {
    const { id } = parse(ZId, req.params);
    await eraseContact(deps, auditContext(req), id);
    res.status(204).end();
  });

  return r;
}

addOpenApiPaths({
  '/api/contacts/{id}': {
    delete: {
      summary:
        "Erase a contact (admin): every conversation with its message bodies, attachments, raw mail and recordings (deleted at Twilio too), the contact's identities, name and notes. An audit entry `contact.erase` with counts remains, and an SMS opt-out (STOP) stays in force. 503 when Twilio could not delete a recording (nothing is erased then; try again)",
      tags: ['access'],
      security: [{ bearer: [] }],
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      responses: {
        '204': { description: 'erased' },
        '400': { $ref: '#/components/responses/Error' },
        '403': { $ref: '#/components/responses/Error' },
        '404': { $ref: '#/components/responses/Error' },
        '503': { $ref: '#/components/responses/Error' },
      },
    },
  },
});
