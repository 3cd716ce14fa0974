import { and, desc, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { sandboxMessages, type Channel, type SandboxMessageRow } from '../db/schema.js';

export type NewSandboxMessage = typeof sandboxMessages.$inferInsert;

/** Postgres holds the sandbox's side, so every web and worker process sees the same phone, mailbox and Slack. */
export async function recordSandboxMessage(db: DbOrTx, row: NewSandboxMessage): Promise<SandboxMessageRow> {
  const [saved] = await db.insert(sandboxMessages).values(row).returning();
  return saved;
}

export async function listSandboxMessages(
  db: DbOrTx,
  opts: { direction?: 'inbound' | 'outbound'; channel?: Channel; contact?: string; limit: number },
): Promise<SandboxMessageRow[]> {
  const rows = await db
    .select()
    .from(sandboxMessages)
    .where(
      and(
        opts.direction ? eq(sandboxMessages.direction, opts.direction) : undefined,
        opts.channel ? eq(sandboxMessages.channel, opts.channel) : undefined,
        opts.contact ? eq(sandboxMessages.contact, opts.contact) : undefined,
      ),
    )
    .orderBy(desc(sandboxMessages.createdAt), desc(sandboxMessages.id))
    .limit(opts.limit);
  return rows.reverse();
}

/** The latest message the sandbox holds for this contact on a channel (a mail to thread under, a Slack name). */
export async function latestSandboxMessage(
  db: DbOrTx,
  channel: Channel,
  contact: string,
  direction?: 'inbound' | 'outbound',
): Promise<SandboxMessageRow | undefined> {
  const [row] = await db
    .select()
    .from(sandboxMessages)
    .where(
      and(
        eq(sandboxMessages.channel, channel),
        eq(sandboxMessages.contact, contact),
        direction ? eq(sandboxMessages.direction, direction) : undefined,
      ),
    )
    .orderBy(desc(sandboxMessages.createdAt))
    .limit(1);
  return row;
}

export async function findSandboxMessage(db: DbOrTx, externalId: string): Promise<SandboxMessageRow | undefined> {
  const [row] = await db.select().from(sandboxMessages).where(eq(sandboxMessages.externalId, externalId)).limit(1);
  return row;
}

export async function setSandboxStatus(db: DbOrTx, externalId: string, status: string): Promise<void> {
  await db.update(sandboxMessages).set({ status }).where(eq(sandboxMessages.externalId, externalId));
}

/** A sandbox call's state and where its waiting menu posts the caller's answer. */
export async function updateSandboxCall(
  db: DbOrTx,
  externalId: string,
  set: { status: string; metadata: Record<string, unknown> },
): Promise<void> {
  await db.update(sandboxMessages).set(set).where(eq(sandboxMessages.externalId, externalId));
}

/**
 * Takes the next delivery report that is due, for one process only (SKIP LOCKED): the row moves on to
 * that status and its next report is scheduled `stepMs` later.
 */
export async function claimDueStatus(db: DbOrTx, stepMs: number): Promise<{ message: SandboxMessageRow; status: string } | null> {
  const rows = await db.execute<{ id: string }>(sql`
    update ${sandboxMessages} set
      status = ${sandboxMessages.pendingStatuses}[1],
      pending_statuses = ${sandboxMessages.pendingStatuses}[2:],
      next_status_at = case when cardinality(${sandboxMessages.pendingStatuses}) > 1
        then now() + make_interval(secs => ${stepMs / 1000}) end
    where id = (
      select id from ${sandboxMessages}
      where cardinality(pending_statuses) > 0 and next_status_at <= now()
      order by next_status_at limit 1 for update skip locked)
    returning id`);
  const id = rows[0]?.id;
  if (!id) return null;
  const [message] = await db.select().from(sandboxMessages).where(eq(sandboxMessages.id, id));
  return message ? { message, status: message.status } : null;
}

export async function clearSandbox(db: DbOrTx): Promise<void> {
  await db.delete(sandboxMessages);
}
