import { Router } from 'express';
import { getCrisisTerms, putCrisisTerms, ZPutTerms } from '../../core/crisis/manage-terms.js';
import { putCrisisSettings, ZCrisisSettings } from '../../core/crisis/manage-settings.js';
import { loadCrisisSettings } from '../../core/crisis/crisis-settings.js';
import { listOpenRisks } from '../../core/crisis/open-risk.js';
import type { Deps } from '../../core/ports.js';
import { actorOf, clientIp, parse, requireRoles, requireSupervisor } from '../middleware.js';
import { addOpenApiPaths } from '../openapi.js';

/** Crisis handling (contract: "Crisis and incidents"): the phrases checked, settings, the open risks. */
export function crisisRouter(deps: Deps): Router {
  const r = Router();
  const { db } = deps;

  r.get('/crisis/terms', requireRoles('admin'), async (_req, res) => {
    res.json(await getCrisisTerms(db));
  });

  r.put('/crisis/terms', requireRoles('admin'), async (req, res) => {
    const view = await putCrisisTerms(db, actorOf(req), parse(ZPutTerms, req.body), clientIp(req));
    // Every process checks the next text against the new phrases (admin-cache.ts).
    deps.adminCache.changed('crisis-terms');
    res.json(view);
  });

  // Extension: the resources text contacts get and the staff Slack channel for incidents.
  r.get('/crisis/settings', requireRoles('admin'), async (_req, res) => {
    res.json({ settings: await loadCrisisSettings(db) });
  });

  r.put('/crisis/settings', requireRoles('admin'), async (req, res) => {
    res.json({ settings: await putCrisisSettings(db, actorOf(req), parse(ZCrisisSettings, req.body), clientIp(req)) });
  });

  // Extension: open risk-flagged conversations, so a reloaded desk or wallboard still shows its crisis banner.
  r.get('/crisis/conversations', requireSupervisor, async (_req, res) => {
    res.json({ conversations: await listOpenRisks(db) });
  });

  return r;
}

const secured = { security: [{ bearer: [] }] };
const error = { $ref: '#/components/responses/Error' };
const errs = { '400': error, '401': error, '403': error };
const json = (description: string, schema: unknown = { type: 'object' }) => ({ description, content: { 'application/json': { schema } } });
const strings = { type: 'array', items: { type: 'string' } };
const Levels = { type: 'object', properties: { high: strings, medium: strings } };
const TermsByLanguage = { type: 'object', properties: { en: Levels, es: Levels } };
const Localized = {
  oneOf: [{ type: 'string' }, { type: 'object', required: ['en'], properties: { en: { type: 'string' }, es: { type: 'string' } } }],
};

addOpenApiPaths({
  '/api/crisis/terms': {
    get: {
      summary: 'The crisis phrases checked on top of the built-in ones, per language and level, and the built-in ones (admin)',
      tags: ['crisis'],
      ...secured,
      responses: { '200': json('{terms, builtIn}'), ...errs },
    },
    put: {
      summary:
        'Replace the admin phrases: `{terms: {en: {high: [..], medium: [..]}, es: {..}}}` or `{terms: [{language, level, phrase}]}`; phrases use the pattern syntax of docs/crisis.md (admin; audited)',
      tags: ['crisis'],
      ...secured,
      requestBody: { required: true, ...json('terms', { type: 'object', properties: { terms: TermsByLanguage } }) },
      responses: { '200': json('{terms, builtIn}'), ...errs },
    },
  },
  '/api/crisis/settings': {
    get: { summary: 'Crisis settings (admin; extension)', tags: ['crisis'], ...secured, responses: { '200': json('{settings}'), ...errs } },
    put: {
      summary:
        'Replace the crisis-resources text (`null`: the built-in 988/911 text) and set the staff Slack channel for incidents (admin; extension; audited)',
      tags: ['crisis'],
      ...secured,
      requestBody: {
        required: true,
        ...json('settings', {
          type: 'object',
          properties: { resourcesText: { ...Localized, nullable: true }, staffSlackChannel: { type: 'string', nullable: true } },
        }),
      },
      responses: { '200': json('{settings}'), ...errs },
    },
  },
  '/api/crisis/conversations': {
    get: {
      summary: 'Open risk-flagged conversations as `crisis.detected` payloads, for a reloaded banner (supervisors; extension)',
      tags: ['crisis'],
      ...secured,
      responses: { '200': json('{conversations}'), ...errs },
    },
  },
});
