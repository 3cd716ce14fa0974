import { eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { conversations, inboxes, queues, type QueueRow } from '../../db/schema.js';
import { DEFAULT_QUEUE_BY_CHANNEL } from '../conversations/types.js';
import { CRISIS_QUEUE } from '../crisis/flag-risk.js';
import { conflict, notFound } from '../errors.js';

/** Queues the system itself sends work to: the channels' fallbacks and the crisis queue. */
const BUILT_IN = new Set<string>([...Object.values(DEFAULT_QUEUE_BY_CHANNEL), CRISIS_QUEUE]);

/**
 * Deletes a queue nothing depends on, or refuses (409) with what still does, so the admin knows
 * what to change first: inboxes that route into it, other queues that escalate into it, and
 * conversations in its history (reports keep them, so such a queue stays). Its skills, canned
 * responses and dispositions go with it (they cascade). Runs under the queue's row lock, so an
 * inbox added meanwhile either sees the queue or waits and fails its foreign key.
 */
export async function deleteQueue(tx: Tx, key: string): Promise<QueueRow> {
  const [row] = await tx.select().from(queues).where(eq(queues.key, key)).for('update');
  if (!row) throw notFound(`queue ${key}`);
  if (BUILT_IN.has(key)) throw conflict(`queue ${key} is built in (channel fallback or crisis queue) and cannot be deleted`);

  const using = await tx.select({ address: inboxes.address }).from(inboxes).where(eq(inboxes.queueKey, key)).orderBy(inboxes.address);
  if (using.length)
    throw conflict(
      `queue ${key} is still used by ${using.length === 1 ? 'inbox' : 'inboxes'} ${using.map((i) => i.address).join(', ')}: move ${using.length === 1 ? 'it' : 'them'} to another queue first`,
    );

  const escalating = await tx
    .select({ key: queues.key })
    .from(queues)
    .where(sql`exists (select 1 from jsonb_array_elements(${queues.escalation}) s where s->'addQueues' ? ${key})`);
  if (escalating.length)
    throw conflict(`queue ${key} is an escalation target of ${escalating.map((q) => q.key).join(', ')}: change their escalation first`);

  const [{ n }] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(conversations)
    .where(eq(conversations.queueKey, key));
  if (n > 0)
    throw conflict(`queue ${key} has ${n} conversation${n === 1 ? '' : 's'} in its history, which reports keep: it cannot be deleted`);

  await tx.delete(queues).where(eq(queues.key, key));
  return row;
}
