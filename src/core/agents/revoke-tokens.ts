import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { agents } from '../../db/schema.js';
import type { Deps } from '../ports.js';

/**
 * Refuses every token the agent holds from now on (each token carries the version it was issued
 * under; tokens.ts compares it on every request and handshake). Call inside the transaction of
 * the change that warrants it, then `disconnectAgent` after commit.
 */
export async function bumpTokenVersion(tx: DbOrTx, agentId: string): Promise<number> {
  const [row] = await tx
    .update(agents)
    .set({ tokenVersion: sql`${agents.tokenVersion} + 1` })
    .where(eq(agents.id, agentId))
    .returning({ tokenVersion: agents.tokenVersion });
  return row?.tokenVersion ?? 0;
}

/**
 * Closes the agent's live desk sockets on every web process. Run after the commit that bumped
 * the version: a socket whose handshake raced the change re-checks its token once it has joined
 * its rooms (realtime/server.ts), so none survives.
 */
export function disconnectAgent(deps: Pick<Deps, 'realtime'>, agentId: string) {
  deps.realtime.disconnectAgent(agentId);
}
