import { Router } from 'express';
import type { Deps } from '../../core/ports.js';
import { addOpenApiPaths } from '../openapi.js';
import { requireAuth } from '../middleware.js';

/**
 * `GET /api/system` (any signed-in agent; extension): whether replies reach real people. The desk
 * shows the sandbox banner from it, or — in production — which vendors are not configured.
 */
export function systemRouter(deps: Deps, missingVendors: string[]): Router {
  const r = Router();
  r.get('/api/system', requireAuth(deps), (_req, res) => {
    const sandbox = deps.config.sandbox.enabled;
    res.json({
      sandbox,
      notice: sandbox ? 'Sandbox: nothing is sent to real people' : null,
      // Outside production a missing vendor is expected (a developer's machine); there the sandbox is on anyway.
      missingVendors: sandbox || deps.config.nodeEnv !== 'production' ? [] : missingVendors,
    });
  });
  return r;
}

addOpenApiPaths({
  '/api/system': {
    get: {
      summary:
        'Whether replies reach real people (extension): `{sandbox, notice, missingVendors}`; in production, the vendors that are not configured',
      tags: ['system'],
      security: [{ bearer: [] }],
      responses: {
        '200': {
          description: 'status',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  sandbox: { type: 'boolean' },
                  notice: { type: 'string', nullable: true },
                  missingVendors: { type: 'array', items: { type: 'string' } },
                },
              },
            },
          },
        },
        '401': { $ref: '#/components/responses/Error' },
      },
    },
  },
});
