import { Router } from 'express';
import { z } from 'zod';
import {
  createCannedResponse,
  deleteCannedResponse,
  listCannedResponses,
  updateCannedResponse,
  ZCannedResponse,
  ZListCanned,
  ZUpdateCannedResponse,
} from '../../core/content/canned-responses.js';
import {
  createDisposition,
  deleteDisposition,
  listDispositions,
  updateDisposition,
  ZDisposition,
  ZListDispositions,
  ZUpdateDisposition,
} from '../../core/content/dispositions.js';
import type { Deps } from '../../core/ports.js';
import { actorOf, auditContext, parse } from '../middleware.js';
import { addOpenApiPaths } from '../openapi.js';

const ZId = z.object({ id: z.string().uuid('id must be a UUID') });

/**
 * Shared content (contract: "Administration and shared content"): canned responses and
 * resolution codes. Everyone reads those of their queues; supervisors and admins write
 * (checked in core/content, which owns the rules).
 */
export function contentRouter(deps: Deps): Router {
  const r = Router();
  const { db } = deps;

  r.get('/canned-responses', async (req, res) => {
    res.json({ cannedResponses: await listCannedResponses(db, actorOf(req), parse(ZListCanned, req.query)) });
  });
  r.post('/canned-responses', async (req, res) => {
    const cannedResponse = await createCannedResponse(db, actorOf(req), parse(ZCannedResponse, req.body), auditContext(req));
    res.status(201).json({ cannedResponse });
  });
  r.patch('/canned-responses/:id', async (req, res) => {
    const { id } = parse(ZId, req.params);
    res.json({
      cannedResponse: await updateCannedResponse(db, actorOf(req), id, parse(ZUpdateCannedResponse, req.body), auditContext(req)),
    });
  });
  r.delete('/canned-responses/:id', async (req, res) => {
    const { id } = parse(ZId, req.params);
    await deleteCannedResponse(db, actorOf(req), id, auditContext(req));
    res.status(204).end();
  });

  r.get('/dispositions', async (req, res) => {
    res.json({ dispositions: await listDispositions(db, actorOf(req), parse(ZListDispositions, req.query)) });
  });
  r.post('/dispositions', async (req, res) => {
    const disposition = await createDisposition(db, actorOf(req), parse(ZDisposition, req.body), auditContext(req));
    res.status(201).json({ disposition });
  });
  r.patch('/dispositions/:id', async (req, res) => {
    const { id } = parse(ZId, req.params);
    res.json({ disposition: await updateDisposition(db, actorOf(req), id, parse(ZUpdateDisposition, req.body), auditContext(req)) });
  });
  // A code in use is archived (200 with it), an unused one deleted (204).
  r.delete('/dispositions/:id', async (req, res) => {
    const { id } = parse(ZId, req.params);
    const { archived } = await deleteDisposition(db, actorOf(req), id, auditContext(req));
    if (archived) res.json({ disposition: archived });
    else res.status(204).end();
  });

  return r;
}

const secured = { security: [{ bearer: [] }] };
const error = { $ref: '#/components/responses/Error' };
const errs = { '400': error, '401': error, '403': error };
const json = (description: string, schema: unknown = { type: 'object' }) => ({ description, content: { 'application/json': { schema } } });
const body = (schema: unknown) => ({ required: true, content: { 'application/json': { schema } } });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const nullableString = { type: ['string', 'null'] };
const language = { type: ['string', 'null'], enum: ['en', 'es', null] };
const Canned = {
  type: 'object',
  properties: {
    title: { type: 'string', maxLength: 200 },
    body: { type: 'string', maxLength: 5000, description: 'may hold {contact.first_name}, {agent.name}, {conversation.number}' },
    queue: { ...nullableString, description: 'queue key; null = every queue' },
    language: { ...language, description: 'null = any contact; otherwise the variant for contacts of that language' },
  },
};
const Disposition = {
  type: 'object',
  properties: {
    code: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,63}$' },
    label: { type: 'string', maxLength: 200 },
    queue: { ...nullableString, description: 'queue key; null = every queue' },
  },
};

addOpenApiPaths({
  '/api/canned-responses': {
    get: {
      summary: 'Canned responses the caller may use: global ones and those of its queues (supervisors and admins: all)',
      tags: ['content'],
      ...secured,
      parameters: [
        { name: 'queue', in: 'query', schema: { type: 'string' }, description: 'only global ones and this queue’s' },
        {
          name: 'language',
          in: 'query',
          schema: { enum: ['en', 'es'] },
          description: 'this language’s variants and language-neutral ones',
        },
        { name: 'q', in: 'query', schema: { type: 'string' }, description: 'words starting title words (the composer’s `/` search)' },
      ],
      responses: { '200': json('{cannedResponses: [{id, title, body, queue, language, updatedAt}]}'), ...errs },
    },
    post: {
      summary: 'Write a canned response (supervisor, admin)',
      tags: ['content'],
      ...secured,
      requestBody: body({ ...Canned, required: ['title', 'body'] }),
      responses: { '201': json('{cannedResponse}'), ...errs },
    },
  },
  '/api/canned-responses/{id}': {
    patch: {
      summary: 'Change a canned response (supervisor, admin)',
      tags: ['content'],
      ...secured,
      parameters: [idParam],
      requestBody: body(Canned),
      responses: { '200': json('{cannedResponse}'), '404': error, ...errs },
    },
    delete: {
      summary: 'Remove a canned response (supervisor, admin)',
      tags: ['content'],
      ...secured,
      parameters: [idParam],
      responses: { '204': { description: 'removed' }, '404': error, ...errs },
    },
  },
  '/api/dispositions': {
    get: {
      summary: 'Resolution codes: global ones and those of the caller’s queues (supervisors and admins: all)',
      tags: ['content'],
      ...secured,
      parameters: [
        {
          name: 'queue',
          in: 'query',
          schema: { type: 'string' },
          description: 'the codes a conversation of this queue may be resolved with',
        },
        { name: 'archived', in: 'query', schema: { enum: ['true', 'false'] }, description: 'archived codes too' },
      ],
      responses: { '200': json('{dispositions: [{id, code, label, queue, archived}]}'), ...errs },
    },
    post: {
      summary: 'Add a resolution code (supervisor, admin)',
      tags: ['content'],
      ...secured,
      requestBody: body({ ...Disposition, required: ['code', 'label'] }),
      responses: { '201': json('{disposition}'), '409': error, ...errs },
    },
  },
  '/api/dispositions/{id}': {
    patch: {
      summary: 'Change a code’s label or queue, rename an unused one, or archive/restore it with `archived` (supervisor, admin)',
      tags: ['content'],
      ...secured,
      parameters: [idParam],
      requestBody: body({ ...Disposition, properties: { ...Disposition.properties, archived: { type: 'boolean' } } }),
      responses: { '200': json('{disposition}'), '404': error, '409': error, ...errs },
    },
    delete: {
      summary: 'Delete an unused code (204); one some conversation was resolved with is archived instead (200 {disposition})',
      tags: ['content'],
      ...secured,
      parameters: [idParam],
      responses: { '200': json('{disposition} archived'), '204': { description: 'deleted' }, '404': error, ...errs },
    },
  },
});
