import type { DbOrTx } from '../../db/client.js';
import { auditLog } from '../../db/schema.js';

export type AuditEntry = {
  /** The agent who acted; null for the system or an unauthenticated caller. */
  actorId: string | null;
  /** Dotted verb: `auth.login`, `auth.login_failed`, `agent.update`, `queue.update`, `contact.erase`, `report.export`… */
  action: string;
  /** What it acted on: `agent:<id>`, `queue:<key>`, `conversation:<id>`, `contact:<id>`. */
  target?: string | null;
  /** Client address (as the HTTP layer resolved it through the configured proxies). */
  ip?: string | null;
  /** Before/after and other facts. Never message bodies, passwords, tokens or secrets. */
  details?: Record<string, unknown>;
};

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
