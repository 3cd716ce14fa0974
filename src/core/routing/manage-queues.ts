import { eq } from 'drizzle-orm';
import { type z } from 'zod';
import type { DbOrTx } from '../../db/client.js';
import { queues, type QueueRow } from '../../db/schema.js';
import { ZCreateQueue, type ZEscalationStep, ZUpdateQueue, type CreateQueue, type UpdateQueue } from './queue-schema.js';
import { AppError, notFound } from '../errors.js';

export { ZCreateQueue, ZEscalationStep, ZUpdateQueue, type CreateQueue, type UpdateQueue } from './queue-schema.js';

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
