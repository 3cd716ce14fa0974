import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { inboxes, queues, type IdentityKind, type QueueRow } from '../schema.js';

export async function getQueue(tx: DbOrTx, key: string): Promise<QueueRow | undefined> {
  const [q] = await tx.select().from(queues).where(eq(queues.key, key));
  return q;
}

export async function listQueues(tx: DbOrTx): Promise<QueueRow[]> {
  return tx.select().from(queues).orderBy(queues.key);
}

export async function findInbox(tx: DbOrTx, kind: IdentityKind, address: string) {
  const [inbox] = await tx
    .select()
    .from(inboxes)
    .where(and(eq(inboxes.kind, kind), eq(inboxes.address, address)));
  return inbox;
}

/** The hotline numbers (phone inboxes), oldest first: the first is the default caller ID. */
export async function listPhoneInboxes(tx: DbOrTx): Promise<string[]> {
  const rows = await tx.select({ address: inboxes.address }).from(inboxes).where(eq(inboxes.kind, 'phone')).orderBy(inboxes.createdAt);
  return rows.map((r) => r.address);
}
