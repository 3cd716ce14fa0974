import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../../db/client.js';
import { CALLBACK_ORDERS, queues, type QueueRow } from '../../db/schema.js';
import { ZBusinessHours } from '../business-hours.js';
import { AppError, notFound } from '../errors.js';
import { ZAutoReply } from '../requests/auto-reply.js';
import { ZSlaPolicy } from '../requests/sla.js';

export const ZEscalationStep = z
  .object({
    afterSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600),
    addQueues: z.array(z.string().min(1)).optional(),
    raisePriority: z.number().int().min(1).max(1000).optional(),
    notifySupervisors: z.boolean().optional(),
  })
  .strict()
  .refine(
    (s) => (s.addQueues?.length ?? 0) > 0 || s.raisePriority !== undefined || s.notifySupervisors,
    'a step must do something: addQueues, raisePriority or notifySupervisors',
  );

const fields = {
  name: z.string().trim().min(1).max(200),
  priority: z.number().int().min(0).max(10_000),
  slaSeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600),
  maxWaitSeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600),
  businessHours: ZBusinessHours.nullable(),
  escalation: z.array(ZEscalationStep).max(20),
  emailFrom: z.email().nullable(),
  /** Pending conversations with no answer from the contact for this long are resolved; null = never. */
  autoResolvePendingSeconds: z
    .number()
    .int()
    .min(1)
    .max(365 * 24 * 3600)
    .nullable(),
  /** Request SLA targets (src/core/requests/sla.ts); null = none. */
  sla: ZSlaPolicy,
  /** Acknowledgement and after-hours texts on new text conversations (src/core/requests/auto-reply.ts); null = none. */
  autoReply: ZAutoReply,
  /** Callbacks and voicemails behind live callers of the same priority (default), in arrival order, or first. */
  callbackOrder: z.enum(CALLBACK_ORDERS),
};

export const ZCreateQueue = z
  .object({
    key: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, _ and -, at most 40'),
    ...fields,
    priority: fields.priority.default(0),
    slaSeconds: fields.slaSeconds.default(60),
    maxWaitSeconds: fields.maxWaitSeconds.default(600),
    businessHours: fields.businessHours.default(null),
    escalation: fields.escalation.default([]),
    emailFrom: fields.emailFrom.default(null),
    autoResolvePendingSeconds: fields.autoResolvePendingSeconds.default(7 * 24 * 3600),
    sla: fields.sla.default(null),
    autoReply: fields.autoReply.default(null),
    callbackOrder: fields.callbackOrder.default('afterLive'),
  })
  .strict();
export type CreateQueue = z.input<typeof ZCreateQueue>;

export const ZUpdateQueue = z.object(fields).partial().strict();
export type UpdateQueue = z.input<typeof ZUpdateQueue>;

/** Escalation may only overflow into queues that exist (and not into the queue itself). */
async function checkPlan(db: DbOrTx, key: string, plan: z.output<typeof ZEscalationStep>[] | undefined) {
  const targets = [...new Set((plan ?? []).flatMap((s) => s.addQueues ?? []))];
  if (targets.includes(key)) throw new AppError('bad_request', `escalation: ${key} cannot overflow into itself`);
  const known = new Set((await db.select({ key: queues.key }).from(queues)).map((q) => q.key));
  const unknown = targets.filter((t) => !known.has(t));
  if (unknown.length) throw new AppError('bad_request', `escalation: unknown queue ${unknown.join(', ')}`);
}

export async function createQueue(db: DbOrTx, input: CreateQueue): Promise<QueueRow> {
  const data = ZCreateQueue.parse(input);
  await checkPlan(db, data.key, data.escalation);
  const [row] = await db.insert(queues).values(data).onConflictDoNothing().returning();
  if (!row) throw new AppError('conflict', `queue ${data.key} exists`);
  return row;
}

/** Changes apply to conversations from the next routing decision on; priorities of waiting work are not rewritten. */
export async function updateQueue(db: DbOrTx, key: string, input: UpdateQueue): Promise<QueueRow> {
  const data = ZUpdateQueue.parse(input);
  if (data.escalation) await checkPlan(db, key, data.escalation);
  if (Object.keys(data).length === 0) {
    const [q] = await db.select().from(queues).where(eq(queues.key, key));
    if (!q) throw notFound(`queue ${key}`);
    return q;
  }
  const [row] = await db.update(queues).set(data).where(eq(queues.key, key)).returning();
  if (!row) throw notFound(`queue ${key}`);
  return row;
}
