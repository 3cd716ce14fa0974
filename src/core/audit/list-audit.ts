import { and, desc, eq, gte, like, lt, lte, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../../db/client.js';
import { agents, auditLog } from '../../db/schema.js';
import { AUDIT_ACTIONS } from './actions.js';

const ZWhen = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO date or date-time');

/**
 * `GET /api/audit` filters. `action` is a name, a family (`auth.*`) or a comma-separated list
 * of either; `to` as a bare date means the whole of that day.
 */
export const ZAuditQuery = z
  .object({
    actor: z.string().uuid('actor must be an agent id').optional(),
    action: z
      .string()
      .max(500)
      .regex(/^[a-z_.*]+(,[a-z_.*]+)*$/, 'action: names like auth.login or auth.*, comma-separated')
      .optional(),
    target: z.string().max(200).optional(),
    from: ZWhen.optional(),
    to: ZWhen.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.coerce.number().int().positive().optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict();
export type AuditQuery = z.output<typeof ZAuditQuery>;

export type PublicAuditEntry = {
  id: number;
  at: string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  details: Record<string, unknown>;
};

const endOf = (v: string) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(Date.parse(v) + 86_400_000 - 1) : new Date(v));

function actionFilter(spec: string): SQL | undefined {
  const parts = spec.split(',').map((p) => (p.endsWith('*') ? like(auditLog.action, `${p.slice(0, -1)}%`) : eq(auditLog.action, p)));
  return parts.length === 1 ? parts[0] : or(...parts);
}

/** Newest first; pass `nextCursor` back as `cursor`. `max` lifts the page size for CSV exports. */
export async function listAudit(db: DbOrTx, q: AuditQuery, opts: { max?: number } = {}) {
  const limit = opts.max ?? q.limit;
  const rows = await db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      actorId: auditLog.actorId,
      actorEmail: agents.email,
      action: auditLog.action,
      target: auditLog.target,
      ip: auditLog.ip,
      details: auditLog.details,
    })
    .from(auditLog)
    .leftJoin(agents, eq(agents.id, auditLog.actorId))
    .where(
      and(
        q.actor ? eq(auditLog.actorId, q.actor) : undefined,
        q.action ? actionFilter(q.action) : undefined,
        q.target ? eq(auditLog.target, q.target) : undefined,
        q.from ? gte(auditLog.at, new Date(q.from)) : undefined,
        q.to ? lte(auditLog.at, endOf(q.to)) : undefined,
        q.cursor ? lt(auditLog.id, q.cursor) : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return {
    entries: page.map((r): PublicAuditEntry => ({ ...r, at: r.at.toISOString() })),
    nextCursor: rows.length > limit ? String(page.at(-1)!.id) : null,
  };
}

const CSV_COLUMNS = ['at', 'actorId', 'actorEmail', 'action', 'target', 'ip', 'details'] as const;

/**
 * CSV for spreadsheets. Cells a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR
 * first: an attacker chooses the email of a failed sign-in) are prefixed with `'`.
 */
export function auditCsv(entries: PublicAuditEntry[]): string {
  const cell = (v: unknown) => {
    let s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [CSV_COLUMNS.join(','), ...entries.map((e) => CSV_COLUMNS.map((c) => cell(e[c])).join(','))].join('\r\n') + '\r\n';
}

/** The documented actions, for the audit screen's filter. */
export const auditActionList = () => Object.entries(AUDIT_ACTIONS).map(([action, description]) => ({ action, description }));
