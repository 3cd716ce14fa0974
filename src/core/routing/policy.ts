import type { Capacity, Channel, Presence } from '../../db/schema.js';

/**
 * The routing policy, as pure functions: who may take what, in which order.
 * The dispatcher loads the state, asks these, and writes the answer.
 */

export type RoutableAgent = {
  id: string;
  presence: Presence;
  /** queue key → skill level 1–5 */
  levels: Record<string, number>;
  /** free slots per channel (capacity minus assigned minus pending offers) */
  free: Capacity;
  /** open conversations plus live offers, all channels */
  load: number;
  lastOfferedAt: Date | null;
};

export type WaitingConversation = {
  id: string;
  queueKey: string;
  channel: Channel;
  priority: number;
  queuedAt: Date;
  contactId: string;
  /** Extra queues whose agents may take it (escalation overflow). */
  extraQueues?: string[];
  /** The agent who last handled this contact, if sticky routing applies. */
  preferredAgentId?: string | null;
};

export type Lane = { queueKey: string; channel: Channel };

/** While on a call (busy) an agent still takes messaging work, never a second call. */
export function acceptsChannel(presence: Presence, channel: Channel): boolean {
  if (presence === 'available') return true;
  if (presence === 'busy') return channel !== 'voice';
  return false;
}

/** Higher priority first, then the one waiting longest. */
export function compareWaiting(a: WaitingConversation, b: WaitingConversation): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  const t = a.queuedAt.getTime() - b.queuedAt.getTime();
  return t !== 0 ? t : a.id.localeCompare(b.id);
}

/** The skill an agent has for a conversation: its queue, or an overflow queue it was escalated to. */
export function skillFor(agent: RoutableAgent, conv: WaitingConversation): number | undefined {
  const direct = agent.levels[conv.queueKey];
  if (direct !== undefined) return direct;
  let best: number | undefined;
  for (const q of conv.extraQueues ?? []) {
    const l = agent.levels[q];
    if (l !== undefined && (best === undefined || l > best)) best = l;
  }
  return best;
}

export function isEligible(agent: RoutableAgent, conv: WaitingConversation, declined: ReadonlySet<string>): boolean {
  return (
    acceptsChannel(agent.presence, conv.channel) &&
    agent.free[conv.channel] > 0 &&
    skillFor(agent, conv) !== undefined &&
    !declined.has(agent.id)
  );
}

/** Among eligible agents: the preferred (sticky) one, then highest skill, longest idle, fewest open. */
export function compareAgentsFor(conv: WaitingConversation) {
  return (a: RoutableAgent, b: RoutableAgent): number => {
    if (conv.preferredAgentId) {
      const pa = a.id === conv.preferredAgentId ? 1 : 0;
      const pb = b.id === conv.preferredAgentId ? 1 : 0;
      if (pa !== pb) return pb - pa;
    }
    const sa = skillFor(a, conv) ?? 0;
    const sb = skillFor(b, conv) ?? 0;
    if (sa !== sb) return sb - sa;
    const ia = a.lastOfferedAt?.getTime() ?? -Infinity;
    const ib = b.lastOfferedAt?.getTime() ?? -Infinity;
    if (ia !== ib) return ia - ib;
    if (a.load !== b.load) return a.load - b.load;
    return a.id.localeCompare(b.id);
  };
}

export function chooseAgent(
  conv: WaitingConversation,
  agents: readonly RoutableAgent[],
  declined: ReadonlySet<string> = new Set(),
): RoutableAgent | undefined {
  let best: RoutableAgent | undefined;
  const cmp = compareAgentsFor(conv);
  for (const a of agents) {
    if (!isEligible(a, conv, declined)) continue;
    if (!best || cmp(a, best) < 0) best = a;
  }
  return best;
}

/** The (queue, channel) pairs some agent could take work from right now: only their heads are read. */
export function openLanes(agents: readonly RoutableAgent[]): Lane[] {
  const seen = new Map<string, Lane>();
  for (const a of agents) {
    for (const channel of Object.keys(a.free) as Channel[]) {
      if (a.free[channel] <= 0 || !acceptsChannel(a.presence, channel)) continue;
      for (const queueKey of Object.keys(a.levels)) seen.set(`${queueKey}\u0000${channel}`, { queueKey, channel });
    }
  }
  return [...seen.values()];
}

export type PlannedOffer = { conversation: WaitingConversation; agent: RoutableAgent };

/**
 * Matches waiting conversations to agents, best conversation first. Mutates
 * nothing it was given: agent free slots are tracked on copies.
 */
export function planOffers(
  waiting: readonly WaitingConversation[],
  agents: readonly RoutableAgent[],
  declinedBy: ReadonlyMap<string, ReadonlySet<string>>,
  now: Date,
): PlannedOffer[] {
  const pool = agents.map((a) => ({ ...a, free: { ...a.free } }));
  const plan: PlannedOffer[] = [];
  for (const conv of [...waiting].sort(compareWaiting)) {
    const agent = chooseAgent(conv, pool, declinedBy.get(conv.id));
    if (!agent) continue;
    agent.free[conv.channel] -= 1;
    agent.load += 1;
    agent.lastOfferedAt = now;
    plan.push({ conversation: conv, agent });
  }
  return plan;
}
