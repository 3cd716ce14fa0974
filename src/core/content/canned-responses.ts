import { and, asc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../../db/client.js';
import { PG, pgCodeOf } from '../../db/errors.js';
import { cannedResponses, LANGUAGES, type CannedResponseRow } from '../../db/schema.js';
import { isSupervisor, type Actor } from '../agents/actor.js';
import { recordAudit, type AuditContext } from '../audit/record-audit.js';
import { AppError, forbidden, notFound } from '../errors.js';
import { matchesCannedQuery } from './fill-canned.js';

import { ZCannedResponse, ZUpdateCannedResponse } from './content-schemas.js';

export { ZCannedResponse, ZUpdateCannedResponse } from './content-schemas.js';

export const ZListCanned = z.object({
  /** Only those for this queue (and the global ones). */
  queue: z.string().min(1).max(40).optional(),
  language: z.enum(LANGUAGES).optional(),
  /** The composer's `/` search. */
  q: z.string().max(200).optional(),
});

export type PublicCannedResponse = {
  id: string;
  title: string;
  body: string;
  queue: string | null;
  language: string | null;
  updatedAt: string;
};

const toPublic = (r: CannedResponseRow): PublicCannedResponse => ({
  id: r.id,
  title: r.title,
  body: r.body,
  queue: r.queueKey,
  language: r.language,
  updatedAt: r.updatedAt.toISOString(),
});

/** Agents see the global ones and those of their queues; supervisors and admins see all. */
export async function listCannedResponses(db: DbOrTx, actor: Actor, query: z.output<typeof ZListCanned>) {
  const where: SQL[] = [];
  const scope = isSupervisor(actor) ? null : actor.queues;
  if (scope)
    where.push(
      scope.length ? or(isNull(cannedResponses.queueKey), inArray(cannedResponses.queueKey, scope))! : isNull(cannedResponses.queueKey),
    );
  if (query.queue) where.push(or(isNull(cannedResponses.queueKey), eq(cannedResponses.queueKey, query.queue))!);
  // A language asked for: its variants and the language-neutral ones.
  if (query.language) where.push(or(isNull(cannedResponses.language), eq(cannedResponses.language, query.language))!);
  const rows = await db
    .select()
    .from(cannedResponses)
    .where(where.length ? and(...where) : undefined)
    .orderBy(asc(cannedResponses.title), sql`${cannedResponses.language} nulls first`);
  const found = rows.map(toPublic);
  return query.q ? found.filter((c) => matchesCannedQuery(c, query.q!)) : found;
}

function requireWriter(actor: Actor) {
  if (!isSupervisor(actor)) throw forbidden('requires role supervisor or admin');
}

function rethrow(err: unknown): never {
  if (pgCodeOf(err) === PG.foreignKeyViolation) throw new AppError('bad_request', 'queue: unknown queue');
  throw err;
}

export async function createCannedResponse(db: DbOrTx, actor: Actor, input: z.input<typeof ZCannedResponse>, audit: AuditContext) {
  requireWriter(actor);
  const v = ZCannedResponse.parse(input);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(cannedResponses)
      .values({ title: v.title, body: v.body, queueKey: v.queue ?? null, language: v.language ?? null })
      .returning()
      .catch(rethrow);
    const after = toPublic(row);
    await recordAudit(tx, {
      ...audit,
      action: 'canned_response.create',
      target: `canned_response:${row.id}`,
      details: { title: after.title, queue: after.queue, language: after.language },
    });
    return after;
  });
}

export async function updateCannedResponse(
  db: DbOrTx,
  actor: Actor,
  id: string,
  input: z.input<typeof ZUpdateCannedResponse>,
  audit: AuditContext,
) {
  requireWriter(actor);
  const v = ZUpdateCannedResponse.parse(input);
  return db.transaction(async (tx) => {
    const [old] = await tx.select().from(cannedResponses).where(eq(cannedResponses.id, id)).for('update');
    if (!old) throw notFound('canned response');
    const patch: Partial<typeof cannedResponses.$inferInsert> = {};
    if (v.title !== undefined) patch.title = v.title;
    if (v.body !== undefined) patch.body = v.body;
    if (v.queue !== undefined) patch.queueKey = v.queue;
    if (v.language !== undefined) patch.language = v.language;
    if (Object.keys(patch).length === 0) return toPublic(old);
    const [row] = await tx
      .update(cannedResponses)
      .set({ ...patch, updatedAt: sql`now()` })
      .where(eq(cannedResponses.id, id))
      .returning()
      .catch(rethrow);
    const after = toPublic(row);
    await recordAudit(tx, {
      ...audit,
      action: 'canned_response.update',
      target: `canned_response:${id}`,
      details: {
        before: { title: old.title, queue: old.queueKey, language: old.language },
        after: { title: after.title, queue: after.queue, language: after.language },
      },
    });
    return after;
  });
}

export async function deleteCannedResponse(db: DbOrTx, actor: Actor, id: string, audit: AuditContext) {
  requireWriter(actor);
  await db.transaction(async (tx) => {
    const [row] = await tx.delete(cannedResponses).where(eq(cannedResponses.id, id)).returning();
    if (!row) throw notFound('canned response');
    await recordAudit(tx, {
      ...audit,
      action: 'canned_response.delete',
      target: `canned_response:${id}`,
      details: { title: row.title, queue: row.queueKey },
    });
  });
}
