import { Router } from 'express';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { isSupervisor } from '../../core/agents/actor.js';
import { AppError } from '../../core/errors.js';
import type { Deps } from '../../core/ports.js';
import { createQueue, updateQueue, ZCreateQueue, ZUpdateQueue } from '../../core/routing/manage-queues.js';
import { deleteQueue } from '../../core/routing/delete-queue.js';
import { queueStats } from '../../core/routing/queue-stats.js';
import { addOpenApiPaths } from '../openapi.js';
import { actorOf, auditContext, parse, requireRoles } from '../middleware.js';
import { recordAudit } from '../../core/audit/record-audit.js';
import { queues } from '../../db/schema.js';

const ZKey = z.object({ key: z.string().min(1).max(40) });

/**
 * Queues (service lines) and their live figures. Everyone reads the queues
 * they serve (supervisors and admins: all); only admins create or change them.
 * Mounted by the agent API after authentication.
 */
export function queuesRouter(deps: Deps): Router {
  const r = Router();
  const { db } = deps;
  const stats = (only?: string[]) => queueStats(db, only, { windowSeconds: deps.config.routing.statsWindowSeconds });

  r.get('/queues', async (req, res) => {
    const actor = actorOf(req);
    res.json({ queues: await stats(isSupervisor(actor) ? undefined : actor.queues) });
  });

  r.get('/queues/:key', async (req, res) => {
    const { key } = parse(ZKey, req.params);
    const actor = actorOf(req);
    const [q] = await stats([key]);
    if (!q || (!isSupervisor(actor) && !actor.queues.includes(key))) throw new AppError('not_found', `queue ${key} not found`);
    res.json({ queue: q });
  });

  r.post('/queues', requireRoles('admin'), async (req, res) => {
    const input = parse(ZCreateQueue, req.body);
    const q = await db.transaction(async (tx) => {
      const row = await createQueue(tx, input);
      await recordAudit(tx, { ...auditContext(req), action: 'queue.create', target: `queue:${row.key}`, details: { after: row } });
      return row;
    });
    deps.adminCache.changed('queues');
    await deps.jobs.queueStats();
    res.status(201).json({ queue: (await stats([q.key]))[0] });
  });

  r.patch('/queues/:key', requireRoles('admin'), async (req, res) => {
    const { key } = parse(ZKey, req.params);
    const input = parse(ZUpdateQueue, req.body);
    await db.transaction(async (tx) => {
      const [before] = await tx.select().from(queues).where(eq(queues.key, key)).for('update');
      const after = await updateQueue(tx, key, input);
      await recordAudit(tx, { ...auditContext(req), action: 'queue.update', target: `queue:${key}`, details: { before, after } });
    });
    deps.adminCache.changed('queues');
    // A new plan or priority may make waiting work routable or escalate it now.
    await deps.jobs.routingTimer(new Date());
    await deps.jobs.dispatch('queue changed');
    await deps.jobs.queueStats();
    res.json({ queue: (await stats([key]))[0] });
  });

  // 409 with what still depends on it (inboxes, escalation plans, history): see delete-queue.ts.
  r.delete('/queues/:key', requireRoles('admin'), async (req, res) => {
    const { key } = parse(ZKey, req.params);
    await db.transaction(async (tx) => {
      const before = await deleteQueue(tx, key);
      await recordAudit(tx, { ...auditContext(req), action: 'queue.delete', target: `queue:${key}`, details: { before } });
    });
    deps.adminCache.changed('queues');
    await deps.jobs.queueStats();
    res.status(204).end();
  });

  return r;
}

const QueueInput = {
  type: 'object',
  properties: {
    key: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,39}$', description: 'create only' },
    name: { type: 'string' },
    priority: { type: 'integer', description: 'higher is routed first' },
    slaSeconds: { type: 'integer', description: 'service-level target: answered within this many seconds' },
    maxWaitSeconds: { type: 'integer' },
    businessHours: {
      type: ['object', 'null'],
      properties: {
        timezone: { type: 'string' },
        open: {
          type: 'array',
          items: { type: 'object', properties: { day: { type: 'integer' }, from: { type: 'string' }, to: { type: 'string' } } },
        },
        holidays: { type: 'array', items: { type: 'string', format: 'date' } },
      },
    },
    escalation: {
      type: 'array',
      items: {
        type: 'object',
        required: ['afterSeconds'],
        properties: {
          afterSeconds: { type: 'integer', description: 'counted from when the contact started waiting' },
          addQueues: { type: 'array', items: { type: 'string' }, description: 'also offer to agents of these queues' },
          raisePriority: { type: 'integer' },
          notifySupervisors: { type: 'boolean', description: "emits 'supervisor.alert'" },
        },
      },
    },
    emailFrom: { type: ['string', 'null'], format: 'email' },
    autoResolvePendingSeconds: { type: ['integer', 'null'], description: 'pending with no answer this long: resolved (default 7 days)' },
    sla: {
      type: ['object', 'null'],
      description: 'request SLA targets, counted on the business-hours clock when the queue has hours (docs/requests.md)',
      required: ['firstResponseSeconds', 'resolutionSeconds'],
      properties: {
        firstResponseSeconds: { type: 'integer', minimum: 1 },
        nextResponseSeconds: { type: ['integer', 'null'], minimum: 1, description: 'after each contact message' },
        resolutionSeconds: { type: 'integer', minimum: 1, description: 'pending time does not count' },
      },
    },
    callbackOrder: {
      enum: ['afterLive', 'arrival', 'first'],
      description:
        'callbacks and voicemails against live callers of the same priority: behind them (default), in arrival order, or ahead of them (docs/voice.md)',
    },
    autoReply: {
      type: ['object', 'null'],
      description: 'texts on a new SMS/email/Slack conversation; `{number}` becomes the reference; `closed` outside business hours',
      properties: {
        open: {
          oneOf: [{ type: 'string' }, { type: 'object', required: ['en'], properties: { en: { type: 'string' }, es: { type: 'string' } } }],
        },
        closed: {
          oneOf: [{ type: 'string' }, { type: 'object', required: ['en'], properties: { en: { type: 'string' }, es: { type: 'string' } } }],
        },
      },
    },
    csat: {
      type: 'boolean',
      description:
        'satisfaction survey after resolution on SMS, email and Slack (default true; never the crisis queue or a risk-flagged conversation; docs/reports.md)',
    },
    csatVoice: { type: 'boolean', description: 'post-call IVR survey "press 1 to 5" after a caller talked to an agent (default false)' },
  },
};
const keyParam = { name: 'key', in: 'path', required: true, schema: { type: 'string' } };
const secured = { security: [{ bearer: [] }] };
const errs = {
  '400': { $ref: '#/components/responses/Error' },
  '401': { $ref: '#/components/responses/Error' },
  '403': { $ref: '#/components/responses/Error' },
};
const json = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });

addOpenApiPaths({
  '/api/queues': {
    get: {
      summary: 'Queues with live figures (waiting, longest wait, by priority, agents, offers, service level, abandon rate)',
      tags: ['queues'],
      ...secured,
      responses: { '200': json('{queues}'), ...errs },
    },
    post: {
      summary: 'Create a queue (admin; extension)',
      tags: ['queues'],
      ...secured,
      requestBody: { required: true, content: { 'application/json': { schema: { ...QueueInput, required: ['key', 'name'] } } } },
      responses: { '201': json('{queue}'), '409': { $ref: '#/components/responses/Error' }, ...errs },
    },
  },
  '/api/queues/{key}': {
    get: {
      summary: 'One queue with live figures (extension)',
      tags: ['queues'],
      ...secured,
      parameters: [keyParam],
      responses: { '200': json('{queue}'), '404': { $ref: '#/components/responses/Error' }, ...errs },
    },
    patch: {
      summary: 'Change a queue: priority, target, hours, escalation plan, max wait, email From (admin; extension)',
      tags: ['queues'],
      ...secured,
      parameters: [keyParam],
      requestBody: { required: true, content: { 'application/json': { schema: QueueInput } } },
      responses: { '200': json('{queue}'), '404': { $ref: '#/components/responses/Error' }, ...errs },
    },
    delete: {
      summary:
        'Delete a queue nothing depends on (admin; extension): 409 with the reason while inboxes route into it, another queue escalates into it, it has conversations, or it is built in',
      tags: ['queues'],
      ...secured,
      parameters: [keyParam],
      responses: {
        '204': { description: 'deleted, with its skills, canned responses and dispositions' },
        '404': { $ref: '#/components/responses/Error' },
        '409': { $ref: '#/components/responses/Error' },
        ...errs,
      },
    },
  },
});
