import type { CallbackOrder, Capacity, Channel, EscalationStep, Presence } from '../../db/schema.js';

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

/** Presences the router considers at all. */
export const ROUTABLE_PRESENCES: readonly Presence[] = ['available', 'busy', 'wrap-up'];

/**
 * While on a call (busy) or wrapping one up, an agent still takes messaging
 * work (within its capacity), never a call.
 */
export function acceptsChannel(presence: Presence, channel: Channel): boolean {
  if (presence === 'available') return true;
  if (presence === 'busy' || presence === 'wrap-up') return channel !== 'voice';
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

/**
 * Among eligible agents: the preferred (sticky) one, then the queue's own
 * agents before overflow agents, then highest skill, longest idle, fewest open.
 */
export function compareAgentsFor(conv: WaitingConversation) {
  return (a: RoutableAgent, b: RoutableAgent): number => {
    if (conv.preferredAgentId) {
      const pa = a.id === conv.preferredAgentId ? 1 : 0;
      const pb = b.id === conv.preferredAgentId ? 1 : 0;
      if (pa !== pb) return pb - pa;
    }
    const da = a.levels[conv.queueKey] !== undefined ? 1 : 0;
    const db = b.levels[conv.queueKey] !== undefined ? 1 : 0;
    if (da !== db) return db - da;
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

/** What one sweep of a queue's escalation plan does to one waiting conversation. */
export type EscalationOutcome = {
  /** Steps fired now (indexes into the plan sorted by `afterSeconds`). */
  fired: number[];
  /** Count of steps fired so far, to store. */
  step: number;
  overflowQueues: string[];
  priority: number;
  notifySupervisors: boolean;
};

/** The plan in the order steps fire. */
export function sortedPlan(plan: readonly EscalationStep[]): EscalationStep[] {
  return [...plan].sort((a, b) => a.afterSeconds - b.afterSeconds);
}

/**
 * Fires every step whose wait has passed and that has not fired yet. Waiting
 * time accumulates from when the contact started waiting, so a contact found
 * late (after a restart) gets every step it is owed at once. A raised priority
 * never reaches `priorityCeiling`, so crisis work always goes first.
 */
export function escalate(
  conv: { priority: number; escalationStep: number; overflowQueues: readonly string[] },
  plan: readonly EscalationStep[],
  waitedSeconds: number,
  priorityCeiling: number,
): EscalationOutcome {
  const steps = sortedPlan(plan);
  const out: EscalationOutcome = {
    fired: [],
    step: conv.escalationStep,
    overflowQueues: [...conv.overflowQueues],
    priority: conv.priority,
    notifySupervisors: false,
  };
  for (let i = conv.escalationStep; i < steps.length; i++) {
    const s = steps[i];
    if (s.afterSeconds > waitedSeconds) break;
    out.fired.push(i);
    out.step = i + 1;
    for (const q of s.addQueues ?? []) if (!out.overflowQueues.includes(q)) out.overflowQueues.push(q);
    if (s.raisePriority) out.priority = Math.max(out.priority, Math.min(out.priority + s.raisePriority, priorityCeiling));
    if (s.notifySupervisors) out.notifySupervisors = true;
  }
  return out;
}

/**
 * How high escalation may raise a queue's work: below the top-priority queue
 * (crisis), unless this is that queue.
 */
export function priorityCeiling(queuePriority: number, allQueuePriorities: readonly number[]): number {
  const top = Math.max(queuePriority, ...allQueuePriorities);
  return queuePriority >= top ? Number.MAX_SAFE_INTEGER : top - 1;
}

/** After `timeouts` lapsed offers in a row, an available agent is set away. */
export function shouldSetAway(presence: Presence, timeouts: number, limit: number): boolean {
  return presence === 'available' && timeouts >= limit;
}

/** Share (percent, one decimal) of `part` in `whole`; null when there is nothing to measure. */
export function percent(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 1000) / 10 : null;
}

/**
 * How far a callback or voicemail moves from the priority it would have as a live caller. The
 * router orders by priority, then age: one step down puts someone on the line first (the default,
 * issue 21), none keeps arrival order, one step up serves callbacks first — the queue's
 * `callbackOrder` says which.
 */
export function callbackShift(order: CallbackOrder | null | undefined): number {
  return order === 'first' ? 1 : order === 'arrival' ? 0 : -1;
}
