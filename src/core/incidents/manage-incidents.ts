import { desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../../db/client.js';
import { listQueues } from '../../db/queries/queues.js';
import { incidents, INCIDENT_STATUSES, type IncidentRow } from '../../db/schema.js';
import type { Actor } from '../agents/actor.js';
import { recordAudit, type AuditContext } from '../audit/record-audit.js';
import { AppError, conflict, notFound } from '../errors.js';
import type { Deps, PublicIncident } from '../ports.js';
import { loadPublicIncident, withLinks } from './public.js';
import { publishIncident } from './publish.js';
import { postIncidentToStaff } from './staff-post.js';

const ZText = z.string().trim().min(1).max(1000);
/** A text contacts get: one string, or `{en, es?}`. */
export const ZLocalized = z.union([ZText.transform((en) => ({ en })), z.object({ en: ZText, es: ZText.optional() }).strict()]);

export const ZDeclareIncident = z
  .object({
    title: z.string().trim().min(1).max(200),
    publicMessage: ZLocalized,
    queues: z.array(z.string().trim().min(1).max(64)).max(50).optional(),
  })
  .strict();

/** What a supervisor may change while the incident is open (each field optional; at least one). */
export const ZUpdateIncident = z
  .object({
    title: z.string().trim().min(1).max(200).optional(),
    publicMessage: ZLocalized.optional(),
    queues: z.array(z.string().trim().min(1).max(64)).max(50).optional(),
  })
  .strict()
  .refine((v) => v.title !== undefined || v.publicMessage !== undefined || v.queues !== undefined, {
    message: 'nothing to change: give title, publicMessage or queues',
  });

export const ZIncidentQuery = z.object({ status: z.enum([...INCIDENT_STATUSES, 'all']).default('all') });

/** At most this many incidents in one list (the open ones are few; history is paged by date elsewhere). */
const LIST_LIMIT = 100;

/**
 * Declares an incident (supervisors): stored and audited in one transaction, then every agent's
 * banner shows it and, when configured, staff hear of it in Slack. Callers and suggestions read the
 * open incidents from the database, auto-replies from every process' copy, dropped on commit
 * (admin-cache.ts): they all follow at once.
 */
export async function declareIncident(
  deps: Deps,
  actor: Actor,
  input: z.output<typeof ZDeclareIncident>,
  audit: AuditContext,
): Promise<PublicIncident> {
  const queues = [...new Set(input.queues ?? [])];
  const incident = await deps.db.transaction(async (tx) => {
    const known = new Set((await listQueues(tx)).map((q) => q.key));
    const unknown = queues.find((q) => !known.has(q));
    if (unknown) throw new AppError('bad_request', `queues: unknown queue ${unknown}`, { field: 'queues' });
    const [row] = await tx
      .insert(incidents)
      .values({ title: input.title, publicMessage: input.publicMessage, queues, declaredBy: actor.id })
      .returning();
    await recordAudit(tx, {
      actorId: audit.actorId,
      ip: audit.ip,
      action: 'incident.declare',
      target: `incident:${row.id}`,
      details: { title: row.title, queues },
    });
    return row;
  });
  deps.adminCache.changed('incidents');
  const pub = await loadPublicIncident(deps.db, incident);
  publishIncident(deps, pub);
  deps.log.info({ incidentId: incident.id, queues }, 'incident declared');
  await postIncidentToStaff(deps, incident, 'declared');
  return pub;
}

/**
 * Changes an open incident (supervisors): a corrected title, a newer public message (what callers
 * and texters hear from now on), other queues. Audited with what changed; every banner follows.
 */
export async function updateIncident(
  deps: Deps,
  id: string,
  input: z.output<typeof ZUpdateIncident>,
  audit: AuditContext,
): Promise<PublicIncident> {
  const queues = input.queues && [...new Set(input.queues)];
  const row = await deps.db.transaction(async (tx) => {
    const current = await loadIncident(tx, id, { forUpdate: true });
    if (current.status !== 'open') throw conflict('the incident is resolved: it can no longer be changed');
    if (queues) {
      const known = new Set((await listQueues(tx)).map((q) => q.key));
      const unknown = queues.find((q) => !known.has(q));
      if (unknown) throw new AppError('bad_request', `queues: unknown queue ${unknown}`, { field: 'queues' });
    }
    const [row] = await tx
      .update(incidents)
      .set({
        ...(input.title !== undefined ? { title: input.title } : {}),
        ...(input.publicMessage !== undefined ? { publicMessage: input.publicMessage } : {}),
        ...(queues ? { queues } : {}),
      })
      .where(eq(incidents.id, id))
      .returning();
    await recordAudit(tx, {
      actorId: audit.actorId,
      ip: audit.ip,
      action: 'incident.update',
      target: `incident:${id}`,
      details: {
        changed: Object.keys(input).filter((k) => input[k as keyof typeof input] !== undefined),
        title: row.title,
        queues: row.queues,
      },
    });
    return row;
  });
  deps.adminCache.changed('incidents');
  const pub = await loadPublicIncident(deps.db, row);
  publishIncident(deps, pub);
  deps.log.info({ incidentId: id }, 'incident updated');
  return pub;
}

export async function listIncidents(db: DbOrTx, query: z.output<typeof ZIncidentQuery>): Promise<PublicIncident[]> {
  const rows = await db
    .select()
    .from(incidents)
    .where(query.status === 'all' ? undefined : eq(incidents.status, query.status))
    .orderBy(desc(incidents.declaredAt))
    .limit(LIST_LIMIT);
  return withLinks(db, rows);
}

export async function loadIncident(db: DbOrTx, id: string, opts: { forUpdate?: boolean } = {}): Promise<IncidentRow> {
  const q = db.select().from(incidents).where(eq(incidents.id, id));
  const [row] = opts.forUpdate ? await q.for('update') : await q;
  if (!row) throw notFound('incident');
  return row;
}

export async function getIncident(db: DbOrTx, id: string): Promise<PublicIncident> {
  return loadPublicIncident(db, await loadIncident(db, id));
}
