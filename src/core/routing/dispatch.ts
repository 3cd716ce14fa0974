import { eq, inArray, sql } from 'drizzle-orm';
import { ROUTER_LOCK } from '../../db/advisory-locks.js';
import { builtOnce, type Db, type DbOrTx, type Tx } from '../../db/client.js';
import {
  agents,
  contactIdentities,
  contacts,
  conversations,
  messages,
  type Capacity,
  type Channel,
  type Presence,
} from '../../db/schema.js';
import { publishConversationChange } from '../conversations/publish.js';
import { rooms, type Deps, type RealtimeEvents } from '../ports.js';
import { openLanes, planOffers, ROUTABLE_PRESENCES, type Lane, type RoutableAgent, type WaitingConversation } from './policy.js';

/** How many waiting conversations are read from the head of each open lane per round. */
const HEADS_PER_LANE = 20;
/** Bound on rounds per dispatch call; a backlog bigger than this is carried by the next job. */
const MAX_ROUNDS = 50;

export type Offer = {
  reservationId: string;
  conversationId: string;
  agentId: string;
  channel: Channel;
  queueKey: string;
  priority: number;
  contactId: string;
  expiresAt: Date;
};

/**
 * Offers waiting conversations to eligible agents until no more match (`drained`).
 * Safe to call any number of times from any process. Each round matches many lane heads to
 * many agent slots under one hold of the router lock, writes its offers set-based, and
 * announces them together after commit.
 */
export async function dispatch(deps: Deps): Promise<{ offers: number; drained: boolean }> {
  let total = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // In a surge most triggers find their conversation offered already by a round before them,
    // and a round that offered everything it read ends with nothing left: one indexed read then
    // says so, where a round would lock the router and read every agent's load to find it out.
    if (!(await anyoneWaiting(deps.db).execute()).at(0)?.waiting) return { offers: total, drained: true };
    const offers = await deps.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${ROUTER_LOCK})`);
      return dispatchRound(tx, deps, new Date());
    });
    await announceOffers(deps, offers);
    total += offers.length;
    if (offers.length === 0) return { offers: total, drained: true };
  }
  await deps.jobs.dispatch('backlog continues');
  return { offers: total, drained: false };
}

/** Any conversation waiting for an agent (the waiting-lane index's predicate): built once, it runs for every trigger. */
const anyoneWaiting = builtOnce((db: Db) =>
  db
    .select({ waiting: sql<boolean>`exists (select 1 from ${conversations} where ${conversations.status} = 'waiting')` })
    .from(sql`(select 1) as one`)
    .prepare('anyone_waiting'),
);

async function dispatchRound(tx: Tx, deps: Deps, now: Date): Promise<Offer[]> {
  const pool = await loadRoutableAgents(tx);
  if (pool.length === 0) return [];
  const lanes = openLanes(pool);
  if (lanes.length === 0) return [];
  const { waiting, declined } = await loadLaneHeads(tx, lanes, deps.config.routing);
  if (waiting.length === 0) return [];
  const plan = planOffers(waiting, pool, declined, now);
  return createOffers(
    tx,
    deps,
    plan.map(({ conversation, agent }) => ({ conversation, agentId: agent.id })),
    now,
  );
}

type OfferRow = {
  reservation_id: string;
  id: string;
  agent_id: string;
  channel: Channel;
  queue_key: string;
  priority: number;
  contact_id: string;
  expires_at: Date | string;
};

/**
 * Writes a round's offers in three statements whatever their number: conversations still
 * waiting become offered, one reservation each, and the agents' last-offer times. A
 * conversation that stopped waiting meanwhile (caller hung up, transferred) is left out.
 */
async function createOffers(
  tx: Tx,
  deps: Deps,
  planned: { conversation: Pick<WaitingConversation, 'id' | 'channel'>; agentId: string }[],
  now: Date,
): Promise<Offer[]> {
  if (planned.length === 0) return [];
  const rows = sql.join(
    planned.map(
      (p) =>
        sql`(${p.conversation.id}::uuid, ${p.agentId}::uuid, ${new Date(now.getTime() + offerTimeoutSeconds(deps, p.conversation.channel) * 1000).toISOString()}::timestamptz)`,
    ),
    sql`, `,
  );
  // clock_timestamp, not now(): the transaction may have waited for ROUTER_LOCK, and the
  // recorded time must follow the order offers were really made in.
  const made = (await tx.execute(sql`
    with plan(conversation_id, agent_id, expires_at) as (values ${rows}),
    offered as (
      update conversations c set status = 'offered', first_offered_at = coalesce(c.first_offered_at, clock_timestamp())
      from plan p where c.id = p.conversation_id and c.status = 'waiting'
        -- A waiting conversation with a live offer breaks an invariant (one live offer, and only
        -- while offered); left to the reservation insert, its unique index would fail the whole
        -- round, every round, and stop routing for every queue. Skipped, it waits for that
        -- offer's time-out to set it right, and the rest of the round goes on.
        and not exists (select 1 from reservations r where r.conversation_id = c.id and r.status = 'pending')
      returning c.id, c.channel, c.queue_key, c.priority, c.contact_id, p.agent_id, p.expires_at
    ),
    reserved as (
      insert into reservations (conversation_id, agent_id, channel, expires_at)
      select id, agent_id, channel, expires_at from offered
      returning id, conversation_id
    ),
    touched as (
      update agents set last_offered_at = ${now.toISOString()}::timestamptz where id in (select agent_id from offered)
    )
    select r.id as reservation_id, o.* from offered o join reserved r on r.conversation_id = o.id
  `)) as unknown as OfferRow[];
  return made.map((r) => ({
    reservationId: r.reservation_id,
    conversationId: r.id,
    agentId: r.agent_id,
    channel: r.channel,
    queueKey: r.queue_key,
    priority: r.priority,
    contactId: r.contact_id,
    expiresAt: new Date(r.expires_at),
  }));
}

export function offerTimeoutSeconds(deps: Deps, channel: Channel): number {
  return channel === 'voice' ? deps.config.routing.voiceReservationTimeoutSeconds : deps.config.routing.reservationTimeoutSeconds;
}

/** Writes one offer; null if the conversation stopped waiting meanwhile (caller hung up, transferred). */
export async function createOffer(
  tx: Tx,
  deps: Deps,
  conv: Pick<WaitingConversation, 'id' | 'channel'>,
  agentId: string,
  now: Date,
): Promise<Offer | null> {
  const [offer] = await createOffers(tx, deps, [{ conversation: conv, agentId }], now);
  return offer ?? null;
}

/** How much of the contact's last message an offer shows: enough to judge it, little to carry. */
const PREVIEW_CHARS = 140;

/**
 * The `reservation.created` payload of each offer, with its contact's name, the address the
 * conversation came from (another of the contact's when it has none) and a preview of what they
 * wrote, and the conversation as it is now (for `conversation.updated`): one statement however
 * many offers (a round of offers made in a surge announces them together).
 */
async function readOffers(db: DbOrTx, offers: Offer[]) {
  if (offers.length === 0) return [];
  const c = conversations;
  const rows = await db
    .select({
      conversation: c,
      name: contacts.name,
      address: sql<string | null>`coalesce(
        (select i.value from ${contactIdentities} i where i.id = ${c.contactIdentityId}),
        (select i.value from ${contactIdentities} i where i.contact_id = ${c.contactId} order by i.created_at, i.id limit 1)
      )`,
      preview: sql<string | null>`(select left(coalesce(nullif(btrim(m.body), ''), ${c.subject}, ''), ${PREVIEW_CHARS + 1})
         from ${messages} m where m.conversation_id = ${c.id} and m.direction = 'inbound' and not m.internal
         order by m.created_at desc limit 1)`,
      transferredBy: { id: agents.id, name: agents.name },
    })
    .from(c)
    .leftJoin(contacts, eq(contacts.id, c.contactId))
    .leftJoin(agents, eq(agents.id, c.transferredBy))
    .where(
      inArray(
        c.id,
        offers.map((o) => o.conversationId),
      ),
    );
  const byId = new Map(rows.map((r) => [r.conversation.id, r]));
  return offers.flatMap((o) => {
    const r = byId.get(o.conversationId);
    if (!r) return [];
    const payload: RealtimeEvents['reservation.created'] = {
      reservationId: o.reservationId,
      conversationId: o.conversationId,
      channel: o.channel,
      queue: o.queueKey,
      priority: o.priority,
      contact: { id: o.contactId, name: r.name, address: r.address },
      // A call's body is our own description ("Incoming call"), not the caller's words.
      preview: o.channel === 'voice' ? null : previewOf(r.preview),
      expiresAt: o.expiresAt.toISOString(),
      transfer: r.transferredBy ? { by: r.transferredBy, note: r.conversation.transferNote } : null,
    };
    return [{ payload, conversation: r.conversation, agentId: o.agentId }];
  });
}

/** The `reservation.created` payload of each offer (see readOffers). */
export async function offerPayloads(db: DbOrTx, offers: Offer[]): Promise<RealtimeEvents['reservation.created'][]> {
  return (await readOffers(db, offers)).map((o) => o.payload);
}

/** The contact's latest text (or its email subject), cut to `PREVIEW_CHARS`; null when there is none. */
function previewOf(text: string | null): string | null {
  if (!text?.trim()) return null;
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 1).trimEnd()}…` : text;
}

/** After commit: push each offer to its agent, arm its timeout, and tell the queue the conversations are offered. */
export async function announceOffers(deps: Deps, offers: Offer[]): Promise<void> {
  if (offers.length === 0) return;
  const read = await readOffers(deps.db, offers);
  for (const o of read) deps.realtime.publish([rooms.agent(o.agentId)], 'reservation.created', o.payload);
  const dueTimes = new Set(offers.map((o) => o.expiresAt.getTime()));
  await Promise.all([...dueTimes].map((t) => deps.jobs.offerTimeouts(new Date(t))));
  deps.log.info({ offers: offers.length }, 'offers made');
  for (const o of read) publishConversationChange(deps, o.conversation);
}

type AgentLoadRow = {
  id: string;
  presence: Presence;
  capacity: Capacity;
  last_offered_at: Date | string | null;
  levels: Record<string, number> | null;
  used: Partial<Record<Channel, number>> | null;
};

/** Agents who could take work now, with their free slots per channel (capacity − assigned − live offers). */
export async function loadRoutableAgents(tx: DbOrTx): Promise<RoutableAgent[]> {
  const rows = (await tx.execute(sql`
    select a.id, a.presence, a.capacity, a.last_offered_at,
      (select json_object_agg(aq.queue_key, aq.level) from agent_queues aq where aq.agent_id = a.id) as levels,
      (select json_object_agg(u.channel, u.n) from (
         select channel, sum(n)::int as n from (
           select channel, count(*) as n from conversations
             where assignee_id = a.id and status = 'assigned' group by channel
           union all
           select channel, count(*) as n from reservations
             where agent_id = a.id and status = 'pending' group by channel
         ) x group by channel
       ) u) as used
    from agents a
    where a.presence in (${sql.join(
      ROUTABLE_PRESENCES.map((p) => sql`${p}`),
      sql`, `,
    )})
  `)) as unknown as AgentLoadRow[];
  return rows
    .filter((r) => r.levels && Object.keys(r.levels).length > 0)
    .map((r) => {
      const used = r.used ?? {};
      const free = { ...r.capacity };
      let load = 0;
      for (const ch of Object.keys(free) as Channel[]) {
        free[ch] = Math.max(0, (free[ch] ?? 0) - (used[ch] ?? 0));
        load += used[ch] ?? 0;
      }
      return {
        id: r.id,
        presence: r.presence,
        levels: r.levels ?? {},
        free,
        load,
        lastOfferedAt: r.last_offered_at ? new Date(r.last_offered_at) : null,
      };
    });
}

type HeadRow = {
  id: string;
  queue_key: string;
  channel: Channel;
  priority: number;
  queued_at: Date | string;
  contact_id: string;
  overflow_queues: string[] | null;
  transferred_by: string | null;
  preferred_agent_id: string | null;
  declined_by: string[] | null;
};

/**
 * The first few waiting conversations of each lane, by index: cost does not grow with the
 * backlog. A lane is its own queue's work plus work escalated to it (overflow), so escalated
 * contacts reach overflow agents even when nobody serves their original queue.
 *
 * In the same statement (one round trip where there were three, issue #15), for each of them:
 * - sticky routing: the agent who last took the contact, if within the window (policy then
 *   prefers that agent when eligible, and routes normally otherwise); a conversation
 *   transferred away must not stick to the agent who handed it on, so the heads themselves
 *   do not count;
 * - the agents who declined or let lapse an offer of it recently, skipped for it.
 */
async function loadLaneHeads(
  tx: Tx,
  lanes: Lane[],
  windows: { stickyWindowSeconds: number; reofferCooldownSeconds: number },
): Promise<{ waiting: WaitingConversation[]; declined: Map<string, Set<string>> }> {
  const values = sql.join(
    lanes.map((l) => sql`(${l.queueKey}::text, ${l.channel}::text)`),
    sql`, `,
  );
  const sticky = Math.max(0, windows.stickyWindowSeconds);
  const cooldown = Math.max(0, windows.reofferCooldownSeconds);
  // `nulls last` matches the indexes (priority DESC NULLS LAST): with plain `desc` Postgres cannot
  // walk them in order and sorts the whole lane instead (158 ms instead of 1 ms at 100k waiting).
  const rows = (await tx.execute(sql`
    with heads as (
      select c.* from (values ${values}) as lane(queue_key, channel)
      cross join lateral (
        (select id, queue_key, channel, priority, queued_at, contact_id, overflow_queues, transferred_by from conversations
          where status = 'waiting' and queue_key = lane.queue_key and channel = lane.channel
          order by priority desc nulls last, queued_at asc
          limit ${HEADS_PER_LANE})
        union all
        (select id, queue_key, channel, priority, queued_at, contact_id, overflow_queues, transferred_by from conversations
          where status = 'waiting' and channel = lane.channel
            and cardinality(overflow_queues) > 0 and overflow_queues @> array[lane.queue_key]
          order by priority desc nulls last, queued_at asc
          limit ${HEADS_PER_LANE})
      ) c
    ),
    sticky as (
      select distinct on (contact_id) contact_id, assignee_id from conversations
      where ${sticky} > 0 and contact_id in (select contact_id from heads)
        and assignee_id is not null and accepted_at > now() - make_interval(secs => ${sticky})
        and id not in (select id from heads)
      order by contact_id, accepted_at desc
    ),
    declined as (
      select conversation_id, array_agg(agent_id) as agent_ids from reservations
      where ${cooldown} > 0 and conversation_id in (select id from heads)
        and status in ('rejected', 'timeout') and answered_at > now() - make_interval(secs => ${cooldown})
      group by conversation_id
    )
    select h.*, s.assignee_id as preferred_agent_id, d.agent_ids as declined_by
    from heads h
    left join sticky s on s.contact_id = h.contact_id
    left join declined d on d.conversation_id = h.id
  `)) as unknown as HeadRow[];
  const byId = new Map<string, WaitingConversation>();
  const declined = new Map<string, Set<string>>();
  for (const r of rows) {
    byId.set(r.id, {
      id: r.id,
      queueKey: r.queue_key,
      channel: r.channel,
      priority: r.priority,
      queuedAt: new Date(r.queued_at),
      contactId: r.contact_id,
      extraQueues: r.overflow_queues ?? [],
      transferredBy: r.transferred_by,
      preferredAgentId: r.preferred_agent_id,
    });
    if (r.declined_by?.length) declined.set(r.id, new Set(r.declined_by));
  }
  return { waiting: [...byId.values()], declined };
}
