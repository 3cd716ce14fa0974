import { and, asc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../../db/client.js';
import { PG, pgCodeOf } from '../../db/errors.js';
import { conversations, dispositions, type DispositionRow } from '../../db/schema.js';
import { isSupervisor, type Actor } from '../agents/actor.js';
import { recordAudit, type AuditContext } from '../audit/record-audit.js';
import { AppError, forbidden, notFound } from '../errors.js';

import { ZDisposition, ZUpdateDisposition } from './content-schemas.js';

export { ZDisposition, ZUpdateDisposition } from './content-schemas.js';

export const ZListDispositions = z.object({
  /** Only those a conversation of this queue may be resolved with. */
  queue: z.string().min(1).max(40).optional(),
  /** Archived codes too (the admin screen). */
  archived: z.enum(['true', 'false']).optional(),
});

export type PublicDisposition = { id: string; code: string; label: string; queue: string | null; archived: boolean };

const toPublic = (r: DispositionRow): PublicDisposition => ({
  id: r.id,
  code: r.code,
  label: r.label,
  queue: r.queueKey,
  archived: r.archivedAt !== null,
});

const forQueue = (queue: string) => or(isNull(dispositions.queueKey), eq(dispositions.queueKey, queue))!;

/** Everyone reads them (agents: the global ones and their queues'); archived ones only when asked. */
export async function listDispositions(db: DbOrTx, actor: Actor, query: z.output<typeof ZListDispositions>) {
  const where: SQL[] = [];
  if (!isSupervisor(actor))
    where.push(
      actor.queues.length
        ? or(isNull(dispositions.queueKey), inArray(dispositions.queueKey, actor.queues))!
        : isNull(dispositions.queueKey),
    );
  if (query.queue) where.push(forQueue(query.queue));
  if (query.archived !== 'true') where.push(isNull(dispositions.archivedAt));
  const rows = await db
    .select()
    .from(dispositions)
    .where(where.length ? and(...where) : undefined)
    .orderBy(sql`${dispositions.queueKey} nulls first`, asc(dispositions.label));
  return rows.map(toPublic);
}

/**
 * Resolve accepts only a live code that is global or belongs to the conversation's queue.
 * Run inside the resolving transaction; answers the code's label.
 */
export async function checkDisposition(db: DbOrTx, code: string, queueKey: string): Promise<string> {
  const label = await dispositionLabel(db, code, queueKey, { live: true });
  if (label === null)
    throw new AppError('bad_request', `disposition: unknown code "${code}" for queue ${queueKey}`, { field: 'disposition' });
  return label;
}

/**
 * What people read for a conversation's code (`info-provided` → "Information provided"): the
 * queue's own code before a global one of the same name; archived codes still have their label.
 */
export async function dispositionLabel(db: DbOrTx, code: string, queueKey: string, opts: { live?: boolean } = {}): Promise<string | null> {
  const [found] = await db
    .select({ label: dispositions.label })
    .from(dispositions)
    .where(and(eq(dispositions.code, code), forQueue(queueKey), opts.live ? isNull(dispositions.archivedAt) : undefined))
    .orderBy(sql`${dispositions.queueKey} nulls last`)
    .limit(1);
  return found?.label ?? null;
}

function requireWriter(actor: Actor) {
  if (!isSupervisor(actor)) throw forbidden('requires role supervisor or admin');
}

function rethrow(err: unknown): never {
  const code = pgCodeOf(err);
  if (code === PG.foreignKeyViolation) throw new AppError('bad_request', 'queue: unknown queue');
  if (code === PG.uniqueViolation) throw new AppError('conflict', 'code: that code exists for this queue');
  throw err;
}

/** Conversations closed with this code, in the code's scope (a global code counts everywhere). */
async function inUse(db: DbOrTx, row: DispositionRow) {
  const [hit] = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.disposition, row.code), row.queueKey ? eq(conversations.queueKey, row.queueKey) : undefined))
    .limit(1);
  return !!hit;
}

export async function createDisposition(db: DbOrTx, actor: Actor, input: z.input<typeof ZDisposition>, audit: AuditContext) {
  requireWriter(actor);
  const v = ZDisposition.parse(input);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(dispositions)
      .values({ code: v.code, label: v.label, queueKey: v.queue ?? null })
      .returning()
      .catch(rethrow);
    const after = toPublic(row);
    await recordAudit(tx, { ...audit, action: 'disposition.create', target: `disposition:${row.id}`, details: { after } });
    return after;
  });
}

export async function updateDisposition(
  db: DbOrTx,
  actor: Actor,
  id: string,
  input: z.input<typeof ZUpdateDisposition>,
  audit: AuditContext,
) {
  requireWriter(actor);
  const v = ZUpdateDisposition.parse(input);
  return db.transaction(async (tx) => {
    const [old] = await tx.select().from(dispositions).where(eq(dispositions.id, id)).for('update');
    if (!old) throw notFound('disposition');
    // Conversations store the code: renaming a used one would orphan them (the label can change freely).
    if (v.code !== undefined && v.code !== old.code && (await inUse(tx, old))) {
      throw new AppError('conflict', `code: "${old.code}" is used by resolved conversations; add a new code and archive this one`);
    }
    const patch: Partial<typeof dispositions.$inferInsert> = {};
    if (v.code !== undefined) patch.code = v.code;
    if (v.label !== undefined) patch.label = v.label;
    if (v.queue !== undefined) patch.queueKey = v.queue;
    if (v.archived !== undefined) patch.archivedAt = v.archived ? (old.archivedAt ?? new Date()) : null;
    if (Object.keys(patch).length === 0) return toPublic(old);
    const [row] = await tx.update(dispositions).set(patch).where(eq(dispositions.id, id)).returning().catch(rethrow);
    const after = toPublic(row);
    await recordAudit(tx, {
      ...audit,
      action: 'disposition.update',
      target: `disposition:${id}`,
      details: { before: toPublic(old), after },
    });
    return after;
  });
}

/** A code some conversation was resolved with is archived (reports keep its label); an unused one is deleted. */
export async function deleteDisposition(
  db: DbOrTx,
  actor: Actor,
  id: string,
  audit: AuditContext,
): Promise<{ archived: PublicDisposition | null }> {
  requireWriter(actor);
  return db.transaction(async (tx) => {
    const [old] = await tx.select().from(dispositions).where(eq(dispositions.id, id)).for('update');
    if (!old) throw notFound('disposition');
    if (await inUse(tx, old)) {
      const [row] = await tx
        .update(dispositions)
        .set({ archivedAt: old.archivedAt ?? new Date() })
        .where(eq(dispositions.id, id))
        .returning();
      const after = toPublic(row);
      await recordAudit(tx, {
        ...audit,
        action: 'disposition.archive',
        target: `disposition:${id}`,
        details: { before: toPublic(old), after },
      });
      return { archived: after };
    }
    await tx.delete(dispositions).where(eq(dispositions.id, id));
    await recordAudit(tx, { ...audit, action: 'disposition.delete', target: `disposition:${id}`, details: { before: toPublic(old) } });
    return { archived: null };
  });
}
