import { Router } from 'express';
import { z } from 'zod';
import {
  createReview,
  getScorecard,
  listReviews,
  notifyReviewed,
  setScorecard,
  ZReviewInput,
  ZReviewQuery,
  ZScorecard,
} from '../../core/quality/reviews.js';
import type { Deps } from '../../core/ports.js';
import { addOpenApiPaths } from '../openapi.js';
import { actorOf, parse, requireRoles, requireSupervisor } from '../middleware.js';

const ZId = z.object({ id: z.string().uuid('id must be a UUID') });

/** Quality reviews against the admins' scorecard (contract: "Reports, satisfaction and quality"). */
export function qualityRouter(deps: Deps): Router {
  const r = Router();
  const { db } = deps;

  r.get('/scorecard', async (_req, res) => {
    res.json({ criteria: await getScorecard(db) });
  });

  r.put('/scorecard', requireRoles('admin'), async (req, res) => {
    const { criteria } = parse(ZScorecard, req.body);
    res.json({ criteria: await setScorecard(db, criteria) });
  });

  r.post('/conversations/:id/reviews', requireSupervisor, async (req, res) => {
    const { id } = parse(ZId, req.params);
    const review = await createReview(db, actorOf(req), id, parse(ZReviewInput, req.body));
    notifyReviewed(deps.realtime, review);
    res.status(201).json({ review });
  });

  r.get('/reviews', async (req, res) => {
    res.json(await listReviews(db, actorOf(req), parse(ZReviewQuery, req.query)));
  });

  return r;
}

const err = { $ref: '#/components/responses/Error' };
const json = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });

addOpenApiPaths({
  '/api/scorecard': {
    get: {
      summary: 'The quality scorecard: criteria scored 1–5 in each review (any agent; extension)',
      tags: ['quality'],
      security: [{ bearer: [] }],
      responses: { '200': json('`{criteria: [{key, label}]}`'), '401': err },
    },
    put: {
      summary: 'Replaces the scorecard criteria (admin; extension); earlier reviews keep their scores',
      tags: ['quality'],
      security: [{ bearer: [] }],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['criteria'],
              properties: {
                criteria: {
                  type: 'array',
                  items: { type: 'object', required: ['key', 'label'], properties: { key: { type: 'string' }, label: { type: 'string' } } },
                },
              },
            },
          },
        },
      },
      responses: { '200': json('`{criteria}`'), '400': err, '401': err, '403': err },
    },
  },
  '/api/conversations/{id}/reviews': {
    post: {
      summary: 'Scores a resolved conversation against the scorecard: every criterion 1–5, and a comment (supervisors)',
      tags: ['quality'],
      security: [{ bearer: [] }],
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['scores'],
              properties: { scores: { type: 'object', additionalProperties: { type: 'integer' } }, comment: { type: 'string' } },
            },
          },
        },
      },
      responses: {
        '201': json('`{review: {id, conversationId, number, agentId, reviewerId, scores, average, comment, createdAt}}`'),
        '400': err,
        '401': err,
        '403': err,
        '404': err,
        '409': err,
      },
    },
  },
  '/api/reviews': {
    get: {
      summary: "Quality reviews, newest first, with averages (supervisors: anyone's, `agentId=` to choose; an agent: its own)",
      tags: ['quality'],
      security: [{ bearer: [] }],
      parameters: ['agentId', 'conversationId', 'limit'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })),
      responses: {
        '200': json('`{reviews: [...], count, average, criteria: {key: average}}`'),
        '400': err,
        '401': err,
        '403': err,
      },
    },
  },
});
