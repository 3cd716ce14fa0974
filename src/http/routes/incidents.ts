import { Router } from 'express';
import { z } from 'zod';
import { linkConversation, unlinkConversation } from '../../core/incidents/link.js';
import {
  declareIncident,
  getIncident,
  listIncidents,
  updateIncident,
  ZDeclareIncident,
  ZIncidentQuery,
  ZUpdateIncident,
} from '../../core/incidents/manage-incidents.js';
import { proposeIncidents } from '../../core/incidents/propose-incidents.js';
import { resolveIncident, ZResolveIncident } from '../../core/incidents/resolve-incident.js';
import { suggestConversations } from '../../core/incidents/suggestions.js';
import type { Deps } from '../../core/ports.js';
import { actorOf, auditContext, parse, requireSupervisor } from '../middleware.js';
import { addOpenApiPaths } from '../openapi.js';

const ZId = z.object({ id: z.string().uuid('id must be a UUID') });
const ZLinkParams = z.object({
  id: z.string().uuid('id must be a UUID'),
  conversationId: z.string().uuid('conversationId must be a UUID'),
});
const ZLink = z.object({ conversationId: z.string().uuid('conversationId must be a UUID') }).strict();

/**
 * Incidents (contract: "Crisis and incidents"): supervisors declare and resolve them, every agent
 * sees the open ones (the desk banner) and links conversations to them.
 */
export function incidentsRouter(deps: Deps): Router {
  const r = Router();
  const { db } = deps;

  r.get('/incidents', async (req, res) => {
    res.json({ incidents: await listIncidents(db, parse(ZIncidentQuery, req.query)) });
  });

  r.post('/incidents', requireSupervisor, async (req, res) => {
    const incident = await declareIncident(deps, actorOf(req), parse(ZDeclareIncident, req.body), auditContext(req));
    res.status(201).json({ incident });
  });

  // Before `/incidents/:id`: "proposals" is not an id.
  r.get('/incidents/proposals', requireSupervisor, async (_req, res) => {
    res.json({ proposals: await proposeIncidents(db) });
  });

  r.get('/incidents/:id', async (req, res) => {
    res.json({ incident: await getIncident(db, parse(ZId, req.params).id) });
  });

  r.patch('/incidents/:id', requireSupervisor, async (req, res) => {
    const { id } = parse(ZId, req.params);
    res.json({ incident: await updateIncident(deps, id, parse(ZUpdateIncident, req.body), auditContext(req)) });
  });

  r.get('/incidents/:id/suggestions', async (req, res) => {
    res.json({ conversations: await suggestConversations(db, actorOf(req), parse(ZId, req.params).id) });
  });

  r.post('/incidents/:id/conversations', async (req, res) => {
    const { id } = parse(ZId, req.params);
    const { conversationId } = parse(ZLink, req.body);
    res.json({ incident: await linkConversation(deps, actorOf(req), id, conversationId, auditContext(req)) });
  });

  r.delete('/incidents/:id/conversations/:conversationId', async (req, res) => {
    const { id, conversationId } = parse(ZLinkParams, req.params);
    res.json({ incident: await unlinkConversation(deps, actorOf(req), id, conversationId, auditContext(req)) });
  });

  r.post('/incidents/:id/resolve', requireSupervisor, async (req, res) => {
    const { id } = parse(ZId, req.params);
    res.json(await resolveIncident(deps, actorOf(req), id, parse(ZResolveIncident, req.body), auditContext(req)));
  });

  return r;
}

const secured = { security: [{ bearer: [] }] };
const error = { $ref: '#/components/responses/Error' };
const errs = { '400': error, '401': error, '403': error };
const withMissing = { ...errs, '404': error };
const json = (description: string, schema: unknown = { type: 'object' }) => ({ description, content: { 'application/json': { schema } } });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const Localized = {
  oneOf: [
    { type: 'string', minLength: 1, maxLength: 1000 },
    { type: 'object', required: ['en'], properties: { en: { type: 'string' }, es: { type: 'string' } } },
  ],
};
const Incident = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    title: { type: 'string' },
    publicMessage: { type: 'object', properties: { en: { type: 'string' }, es: { type: 'string' } } },
    queues: { type: 'array', items: { type: 'string' }, description: 'empty: every queue' },
    status: { enum: ['open', 'resolved'] },
    declaredBy: { type: 'string', nullable: true },
    declaredAt: { type: 'string', format: 'date-time' },
    resolvedBy: { type: 'string', nullable: true },
    resolvedAt: { type: 'string', format: 'date-time', nullable: true },
    resolutionMessage: { type: 'object', nullable: true },
    conversationIds: { type: 'array', items: { type: 'string', format: 'uuid' } },
  },
};
const incidentBody = json('{incident}', { type: 'object', properties: { incident: Incident } });

addOpenApiPaths({
  '/api/incidents': {
    get: {
      summary: 'Incidents, newest first (100 at most); `?status=open` the open ones (every agent: the desk banner)',
      tags: ['incidents'],
      ...secured,
      parameters: [{ name: 'status', in: 'query', schema: { enum: ['open', 'resolved', 'all'] } }],
      responses: { '200': json('{incidents}', { type: 'object', properties: { incidents: { type: 'array', items: Incident } } }), ...errs },
    },
    post: {
      summary:
        'Declare an incident (supervisors; audited): while open, callers hear `publicMessage` before the menu, new SMS/email/Slack conversations get it as an auto-reply, every desk shows a banner; `queues` limits it to those queues (default: all)',
      tags: ['incidents'],
      ...secured,
      requestBody: {
        required: true,
        ...json('incident', {
          type: 'object',
          required: ['title', 'publicMessage'],
          properties: {
            title: { type: 'string', minLength: 1, maxLength: 200 },
            publicMessage: Localized,
            queues: { type: 'array', items: { type: 'string' } },
          },
        }),
      },
      responses: { '201': incidentBody, ...errs },
    },
  },
  '/api/incidents/proposals': {
    get: {
      summary:
        'Groups of similar contacts of the last minutes (4 or more different contacts within 20 minutes sharing two significant words, or a word and a violence/emergency risk), not covered by an open incident: worth declaring one? (supervisors; extension; `incident.proposed` pushes each as it forms)',
      tags: ['incidents'],
      ...secured,
      responses: {
        '200': json('{proposals: [{words, categories, contacts, conversationIds, numbers, queues, firstAt, lastAt}]}'),
        ...errs,
      },
    },
  },
  '/api/incidents/{id}': {
    get: {
      summary: 'One incident (extension)',
      tags: ['incidents'],
      ...secured,
      parameters: [idParam],
      responses: { '200': incidentBody, ...withMissing },
    },
    patch: {
      summary:
        'Change an open incident: `title`, `publicMessage` (heard and sent from now on), `queues` (supervisors; extension; audited; every banner follows)',
      tags: ['incidents'],
      ...secured,
      parameters: [idParam],
      requestBody: {
        required: true,
        ...json('changes', {
          type: 'object',
          minProperties: 1,
          properties: {
            title: { type: 'string', minLength: 1, maxLength: 200 },
            publicMessage: Localized,
            queues: { type: 'array', items: { type: 'string' } },
          },
        }),
      },
      responses: { '200': incidentBody, ...withMissing, '409': error },
    },
  },
  '/api/incidents/{id}/suggestions': {
    get: {
      summary:
        'Open conversations the caller can see, not linked yet, whose contact wrote words of the incident title since two hours before it was declared (extension)',
      tags: ['incidents'],
      ...secured,
      parameters: [idParam],
      responses: { '200': json('{conversations: [{conversationId, number, channel, queue, status, snippet}]}'), ...withMissing },
    },
  },
  '/api/incidents/{id}/conversations': {
    post: {
      summary: 'Link a conversation the caller can see to an open incident (any agent; audited); linking twice changes nothing',
      tags: ['incidents'],
      ...secured,
      parameters: [idParam],
      requestBody: {
        required: true,
        ...json('link', {
          type: 'object',
          required: ['conversationId'],
          properties: { conversationId: { type: 'string', format: 'uuid' } },
        }),
      },
      responses: { '200': incidentBody, ...withMissing, '409': error },
    },
  },
  '/api/incidents/{id}/conversations/{conversationId}': {
    delete: {
      summary: 'Undo a link while the incident is open (extension; audited)',
      tags: ['incidents'],
      ...secured,
      parameters: [idParam, { name: 'conversationId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      responses: { '200': incidentBody, ...withMissing, '409': error },
    },
  },
  '/api/incidents/{id}/resolve': {
    post: {
      summary:
        'Resolve an incident (supervisors; audited): `message` goes to every linked contact on its own channel (opt-outs respected), and the linked open conversations are resolved with `disposition` (default `incident`), except risk-flagged ones and live calls',
      tags: ['incidents'],
      ...secured,
      parameters: [idParam],
      requestBody: {
        required: false,
        ...json('resolution', { type: 'object', properties: { message: Localized, disposition: { type: 'string', maxLength: 64 } } }),
      },
      responses: {
        '200': json('{incident, told, closed, keptOpen}', {
          type: 'object',
          properties: {
            incident: Incident,
            told: { type: 'integer' },
            closed: { type: 'integer' },
            keptOpen: { type: 'array', items: { type: 'string' } },
          },
        }),
        ...withMissing,
        '409': error,
      },
    },
  },
});
