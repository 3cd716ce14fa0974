import { sql } from 'drizzle-orm';
import { conversations } from '../../db/schema.js';

/**
 * Columns to set when a conversation stops waiting on its contact (any way it leaves `pending`):
 * the spell is added to `pending_seconds` (reports) and `pending_since` cleared. Harmless when it
 * was not pending (pending_since is null then). Both read the row's values before the update.
 */
export const leavePending = () => ({
  pendingSeconds: sql`${conversations.pendingSeconds} + coalesce(greatest(0, extract(epoch from now() - ${conversations.pendingSince}))::int, 0)`,
  pendingSince: null,
});
