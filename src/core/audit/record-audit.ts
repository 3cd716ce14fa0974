import type { DbOrTx } from '../../db/client.js';
import { auditLog } from '../../db/schema.js';
import type { AuditAction } from './actions.js';

export type AuditEntry = {
  /** The agent who acted; null for the system or an unauthenticated caller. */
  actorId: string | null;
  /** Dotted verb from the list in `actions.ts` (documented in docs/security.md). */
  action: AuditAction;
  /** What it acted on: `agent:<id>`, `queue:<key>`, `conversation:<id>`, `contact:<id>`. */
  target?: string | null;
  /** Client address (as the HTTP layer resolved it through the configured proxies). */
  ip?: string | null;
  /** Before/after and other facts. Never message bodies, passwords, tokens or secrets. */
  details?: Record<string, unknown>;
};

/** Who is acting and from where: what the HTTP layer knows about a request (`auditContext(req)`). */
export type AuditContext = { actorId: string | null; ip?: string | null };

/**
 * Appends one entry to the audit log. Pass the transaction that makes the change, so the
 * entry exists exactly when the change does.
 */
export async function recordAudit(db: DbOrTx, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    actorId: entry.actorId,
    action: entry.action,
    target: entry.target ?? null,
    ip: entry.ip ?? null,
    details: entry.details ?? {},
  });
}
