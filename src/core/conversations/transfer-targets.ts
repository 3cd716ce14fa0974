import { asc, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { agents, type Channel, type Presence } from '../../db/schema.js';
import { listQueues } from '../../db/queries/queues.js';
import type { Actor } from '../agents/actor.js';
import { loadRoutableAgents } from '../routing/dispatch.js';
import { acceptsChannel, type RoutableAgent } from '../routing/policy.js';
import { loadVisibleConversation } from './load.js';

const CHANNEL_NAMES: Record<Channel, string> = { voice: 'calls', sms: 'texts', email: 'email', slack: 'Slack' };

/**
 * Why an agent cannot be offered a conversation on `channel` right now, in words for the desk
 * (null: they can). One rule for the transfer dialog and for the transfer itself.
 */
export function whyAgentCannotTake(agent: { presence: Presence }, routable: RoutableAgent | undefined, channel: Channel): string | null {
  if (agent.presence === 'offline') return 'Offline';
  if (agent.presence === 'away') return 'Away';
  if (!routable) return 'Serves no queue';
  if (!acceptsChannel(routable.presence, channel)) return routable.presence === 'busy' ? 'On a call' : 'Wrapping up a call';
  if (routable.free[channel] <= 0) return `At capacity for ${CHANNEL_NAMES[channel]}`;
  return null;
}

export type TransferTargets = {
  /** Every queue: a conversation may be handed to any of them, served by the caller or not. */
  queues: { key: string; name: string; agentsAvailable: number }[];
  /** Every active agent but the caller; `reason` says why one cannot take it now (then not selectable). */
  agents: { id: string; name: string; presence: Presence; selectable: boolean; reason: string | null }[];
};

/** Where the caller may hand one conversation, with who could take it right now. */
export async function listTransferTargets(db: DbOrTx, actor: Actor, conversationId: string): Promise<TransferTargets> {
  const c = await loadVisibleConversation(db, actor, conversationId);
  const routable = new Map((await loadRoutableAgents(db)).map((a) => [a.id, a]));
  const queues = await listQueues(db);
  const people = await db
    .select({ id: agents.id, name: agents.name, presence: agents.presence })
    .from(agents)
    .where(eq(agents.active, true))
    .orderBy(asc(agents.name));
  const free = (a: RoutableAgent) => a.id !== actor.id && acceptsChannel(a.presence, c.channel) && a.free[c.channel] > 0;
  return {
    queues: queues.map((q) => ({
      key: q.key,
      name: q.name,
      agentsAvailable: [...routable.values()].filter((a) => free(a) && a.levels[q.key] !== undefined).length,
    })),
    agents: people
      .filter((p) => p.id !== actor.id)
      .map((p) => {
        const reason = whyAgentCannotTake(p, routable.get(p.id), c.channel);
        return { ...p, selectable: reason === null, reason };
      }),
  };
}
