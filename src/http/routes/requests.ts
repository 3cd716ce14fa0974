import { Router } from 'express';
import { z } from 'zod';
import { toPublicConversation, type Deps } from '../../core/ports.js';
import { listTags } from '../../core/requests/list-tags.js';
import { openOutbound, ZOutbound } from '../../core/requests/open-outbound.js';
import { updateConversation, ZConversationPatch } from '../../core/requests/update-conversation.js';
import { addOpenApiPaths } from '../openapi.js';
import { contactsRouter } from './contacts.js';
import { actorOf, parse } from '../middleware.js';

const ZId = z.object({ id: z.string().uuid('id must be a UUID') });

/**
 * The service-desk side of conversations (contract: "Requests"): statuses an agent sets, tags,
 * conversations an agent starts. Mounted by the agent API after authentication.
 */
export function requestsRouter(deps: Deps): Router {
  const r = Router();
  const { db } = deps;

  r.patch('/conversations/:id', async (req, res) => {
    const { id } = parse(ZId, req.params);
    const c = await updateConversation(deps, actorOf(req), id, parse(ZConversationPatch, req.body));
    res.json({ conversation: toPublicConversation(c) });
  });

  r.post('/conversations', async (req, res) => {
    const c = await openOutbound(deps, actorOf(req), parse(ZOutbound, req.body));
    res.status(201).json({ conversation: toPublicConversation(c) });
  });

  r.get('/tags', async (req, res) => {
    res.json({ tags: await listTags(db, actorOf(req)) });
  });

  r.use(contactsRouter(deps));

  return r;
}

const err = { $ref: '#/components/responses/Error' };
const secured = { security: [{ bearer: [] }] };
const json = (description: string, schema: unknown = { type: 'object' }) => ({ description, content: { 'application/json': { schema } } });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

addOpenApiPaths({
  '/api/conversations': {
    post: {
      summary: 'Start an SMS or email conversation (assigned to the caller; the first message is sent)',
      tags: ['requests'],
      ...secured,
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['channel', 'to', 'queue', 'body'],
              properties: {
                channel: { enum: ['sms', 'email'] },
                to: { type: 'string', description: 'E.164 number (sms) or email address' },
                queue: { type: 'string' },
                body: { type: 'string' },
                subject: { type: 'string', description: 'email only; defaults to the queue name' },
                contactId: { type: 'string', format: 'uuid', description: 'extension: add a new address to this contact' },
              },
            },
          },
        },
      },
      responses: {
        '201': json('{conversation}'),
        '400': err,
        '401': err,
        '403': err,
        '404': err,
        '409': { description: '`opted_out` (the number texted STOP) or `conflict` (an open SMS conversation exists)' },
        '503': err,
      },
    },
  },
  '/api/conversations/{id}': {
    patch: {
      summary: 'Set status pending / snoozed (with snoozedUntil) / assigned (take back), and/or replace the tags',
      tags: ['requests'],
      ...secured,
      parameters: [idParam],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                status: { enum: ['pending', 'snoozed', 'assigned'] },
                snoozedUntil: { type: 'string', format: 'date-time' },
                tags: { type: 'array', items: { type: 'string', maxLength: 50 }, maxItems: 30 },
              },
            },
          },
        },
      },
      responses: { '200': json('{conversation}'), '400': err, '401': err, '403': err, '404': err, '409': err },
    },
  },
  '/api/tags': {
    get: {
      summary: 'Tags in use on conversations the caller may see, with counts (extension)',
      tags: ['requests'],
      ...secured,
      responses: { '200': json('{tags: [{tag, conversations}]}'), '401': err },
    },
  },
});
