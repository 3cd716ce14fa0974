import { Router } from 'express';
import { z } from 'zod';
import {
  getContact,
  listContacts,
  mergeContacts,
  similarContacts,
  updateContact,
  ZContactList,
  ZContactPatch,
} from '../../core/contacts/manage-contacts.js';
import type { Deps } from '../../core/ports.js';
import { search, ZSearch } from '../../core/requests/search.js';
import { addOpenApiPaths } from '../openapi.js';
import { actorOf, auditContext, parse } from '../middleware.js';

const ZId = z.object({ id: z.string().uuid('id must be a UUID') });
const ZMerge = z.object({ contactId: z.string().uuid('contactId must be a UUID') }).strict();

/** Contacts (view, edit, merge) and the desk's search box (contract: "Requests"). Mounted after authentication. */
export function contactsRouter(deps: Deps): Router {
  const r = Router();
  const { db } = deps;

  r.get('/contacts', async (req, res) => {
    res.json({ contacts: await listContacts(db, actorOf(req), parse(ZContactList, req.query)) });
  });

  r.get('/contacts/:id', async (req, res) => {
    const { id } = parse(ZId, req.params);
    res.json(await getContact(db, actorOf(req), id));
  });

  r.get('/contacts/:id/similar', async (req, res) => {
    const { id } = parse(ZId, req.params);
    res.json({ contacts: await similarContacts(db, actorOf(req), id) });
  });

  r.patch('/contacts/:id', async (req, res) => {
    const { id } = parse(ZId, req.params);
    res.json(await updateContact(deps, actorOf(req), id, parse(ZContactPatch, req.body)));
  });

  r.post('/contacts/:id/merge', async (req, res) => {
    const { id } = parse(ZId, req.params);
    const { contactId } = parse(ZMerge, req.body);
    res.json(await mergeContacts(deps, actorOf(req), id, contactId, auditContext(req)));
  });

  r.get('/search', async (req, res) => {
    res.json({ results: await search(db, actorOf(req), parse(ZSearch, req.query)) });
  });

  return r;
}

const err = { $ref: '#/components/responses/Error' };
const secured = { security: [{ bearer: [] }] };
const json = (description: string, schema: unknown = { type: 'object' }) => ({ description, content: { 'application/json': { schema } } });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const ContactPatch = {
  type: 'object',
  properties: {
    name: { type: ['string', 'null'], maxLength: 200 },
    language: { enum: ['en', 'es', null] },
    notes: { type: ['string', 'null'], maxLength: 10000 },
    attributes: { type: 'object', additionalProperties: { type: 'string', maxLength: 500 }, description: 'replaces the whole set' },
  },
};

addOpenApiPaths({
  '/api/contacts': {
    get: {
      summary: 'Contacts the caller may see, matching a name, phone or email fragment',
      tags: ['contacts'],
      ...secured,
      parameters: [
        { name: 'q', in: 'query', schema: { type: 'string', maxLength: 200 } },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
      ],
      responses: { '200': json('{contacts: [{id, name, language, notes, attributes, identities}]}'), '400': err, '401': err },
    },
  },
  '/api/contacts/{id}': {
    get: {
      summary: 'A contact, its identities and its conversations across channels (those the caller may see)',
      tags: ['contacts'],
      ...secured,
      parameters: [idParam],
      responses: { '200': json('{contact, identities, conversations}'), '400': err, '401': err, '404': err },
    },
    patch: {
      summary: 'Edit name, language, notes, attributes',
      tags: ['contacts'],
      ...secured,
      parameters: [idParam],
      requestBody: { required: true, content: { 'application/json': { schema: ContactPatch } } },
      responses: { '200': json('{contact, identities, conversations}'), '400': err, '401': err, '404': err },
    },
  },
  '/api/contacts/{id}/similar': {
    get: {
      summary:
        'Other contacts who look like this one (same email ignoring case, same phone however written, same full name): merge candidates',
      tags: ['contacts'],
      ...secured,
      parameters: [idParam],
      responses: {
        '200': json('{contacts: [{id, name, language, notes, attributes, createdAt, identities, reasons: ["email" | "phone" | "name"]}]}'),
        '400': err,
        '401': err,
        '404': err,
      },
    },
  },
  '/api/contacts/{id}/merge': {
    post: {
      summary: 'Merge another contact into this one: its identities and conversations move here; it is deleted',
      tags: ['contacts'],
      ...secured,
      parameters: [idParam],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { type: 'object', required: ['contactId'], properties: { contactId: { type: 'string', format: 'uuid' } } },
          },
        },
      },
      responses: {
        '200': json('{contact, identities, conversations}'),
        '400': err,
        '401': err,
        '404': err,
        '409': { description: 'both contacts have an open conversation on the same thread' },
      },
    },
  },
  '/api/search': {
    get: {
      summary: 'Search references (#1042), message text (English and Spanish full text), contact names and addresses',
      tags: ['contacts'],
      ...secured,
      parameters: [
        { name: 'q', in: 'query', required: true, schema: { type: 'string', minLength: 1, maxLength: 200 } },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 50 } },
      ],
      responses: {
        '200': json('{results: [{conversationId, number, status, channel, queue, contact, snippet, matched, lastMessageAt}]}'),
        '400': err,
        '401': err,
      },
    },
  },
});
