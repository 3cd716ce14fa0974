import { inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { agents } from '../../db/schema.js';
import type { Deps } from '../ports.js';

/**
 * Desk presence across any number of web processes, with Postgres as the
 * record: each web process stamps `agents.last_seen_at` when a desk socket
 * connects or disconnects and, on a heartbeat, for every agent with a socket
 * on it. An agent whose stamp is older than PRESENCE_GRACE_SECONDS has no
 * live socket anywhere (a crashed web process stops stamping too), and the
 * routing timers set them offline.
 */
export async function stampDesks(db: DbOrTx, agentIds: string[]) {
  if (agentIds.length === 0) return;
  await db
    .update(agents)
    .set({ lastSeenAt: sql`now()` })
    .where(inArray(agents.id, [...new Set(agentIds)]));
}

/** A desk socket closed: stamp, and check once the grace period has passed. */
export async function deskDisconnected(deps: Deps, agentId: string) {
  await stampDesks(deps.db, [agentId]);
  await deps.jobs.routingTimer(new Date(Date.now() + (deps.config.routing.presenceGraceSeconds + 1) * 1000));
}

/** Heartbeat period: well inside the grace period, so a live desk is never taken for gone. */
export function heartbeatMs(graceSeconds: number): number {
  return Math.max(250, Math.min(15_000, (graceSeconds * 1000) / 4));
}
