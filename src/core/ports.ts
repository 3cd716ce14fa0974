import type { Config } from '../config.js';
import type { AdminCache } from './admin-cache.js';
import type { Db } from '../db/client.js';
import { nextDueAt, publicSla } from './requests/sla-view.js';
import type {
  SlaKind,
  Channel,
  ConversationRisk,
  ConversationRow,
  ConversationStatus,
  IncidentStatus,
  LocalizedText,
  MessageRow,
  Presence,
} from '../db/schema.js';
import type { Logger } from '../logger.js';
import { publicMedia } from './files/recordings.js';
import type { QueueStats } from './routing/queue-stats.js';
import type { Burst } from './incidents/bursts.js';
import type { PublicReview } from './quality/reviews.js';

/**
 * What the core needs from the outside world. `main.ts` (and the test harness)
 * builds these from BullMQ, Socket.IO and the vendor SDKs; the core never
 * imports those directly.
 */
export type Deps = {
  config: Config;
  db: Db;
  log: Logger;
  jobs: JobScheduler;
  realtime: RealtimePublisher;
  channels: ChannelRegistry;
  /** Live call control (voice); null when no telephony vendor is configured. */
  calls: CallControl | null;
  /** Counters the core keeps (Prometheus at `/metrics`); absent in tools that do not export any. */
  metrics?: CoreMetrics;
  /** Web processes: where verified webhooks wait while Postgres is away (absent in workers). */
  journal?: InboundJournal;
  /** This process' copies of the queues, inboxes and crisis phrases (admin-cache.ts). */
  adminCache: AdminCache;
};

/** Counters the core increments; per process, as Prometheus scrapes each process. */
export type CoreMetrics = {
  crisisDetections: { inc(labels: { level: string; channel: string }): void };
  /** The crisis check failed (the message was stored unflagged): alert on any increase. */
  crisisMatcherErrors: { inc(): void };
};

/** One verified webhook delivery kept for later: the vendor's fields as posted, with the query string. */
export type JournalEntry = {
  /** Unique per entry (instance + sequence); the vendor's own delivery id stays in `body`. */
  id: string;
  /** Which replayer stores it, e.g. `twilio.sms`. */
  kind: string;
  receivedAt: string;
  query: Record<string, string>;
  body: Record<string, string>;
};

/** Stores one journalled delivery; must be idempotent (an entry may be replayed twice after a crash). */
export type JournalReplayer = (entry: JournalEntry) => Promise<void>;

/**
 * A durable journal of inbound deliveries that could not be committed
 * because Postgres was away: appended (and synced) before the vendor is
 * answered, replayed in order when Postgres is back.
 */
export type InboundJournal = {
  append(entry: Omit<JournalEntry, 'id' | 'receivedAt'>): Promise<void>;
  /** Entries of this process still waiting: new deliveries queue behind them to keep their order. */
  hasBacklog(): boolean;
  register(kind: string, replayer: JournalReplayer): void;
  /** One replay pass now (it also runs on a timer). */
  replayNow(): Promise<void>;
};

/** Schedules follow-up work. Every job is idempotent: Postgres holds the truth, jobs only re-drive it. */
export type JobScheduler = {
  /** Run the router soon (a contact arrived, an agent freed up…). */
  dispatch(reason: string): Promise<void>;
  /** Expire the offer at `expiresAt` unless it was answered. */
  reservationTimeout(reservationId: string, expiresAt: Date): Promise<void>;
  /**
   * Deliver an outbound message stored as `pending`. A finished job of the same id never blocks it;
   * `fresh` (an agent's retry) also gets past a job still held by a dead worker until its lock expires.
   */
  sendMessage(messageId: string, opts?: { fresh?: boolean }): Promise<void>;
  /** Push fresh queue figures to supervisors (debounced). */
  queueStats(): Promise<void>;
  /** Run the routing timers (wrap-up ends, offline grace, escalation steps) at `at`; the reconciler also runs them. */
  routingTimer(at: Date): Promise<void>;
  /** Run the request timers (snoozes ending, stale pending, SLA warnings and breaches) at `at`; the reconciler also runs them. */
  requestTimer(at: Date): Promise<void>;
};

/** Socket.IO rooms: one per agent, one per queue (its agents), one for supervisors and admins. */
export const rooms = {
  agent: (agentId: string) => `agent:${agentId}`,
  queue: (queueKey: string) => `queue:${queueKey}`,
  supervisors: 'supervisors',
  /** The supervisors who serve a queue: alerts that concern that queue only (a low CSAT score). */
  queueSupervisors: (queueKey: string) => `supervisors:${queueKey}`,
  /** Admins, who oversee every queue. */
  admins: 'admins',
  /** Every signed-in agent: news all of them must see (an incident's banner). */
  everyone: 'everyone',
} as const;

export type RealtimeEvents = {
  'reservation.created': {
    reservationId: string;
    conversationId: string;
    channel: Channel;
    queue: string;
    priority: number;
    contact: { id: string; name: string | null; address: string | null };
    /** The contact's latest text (or email subject), at most 140 characters; null when there is none (a call). */
    preview: string | null;
    expiresAt: string;
    /** Handed on by another agent (extension): who, and their note for the receiver. */
    transfer?: { by: { id: string; name: string }; note: string | null } | null;
  };
  'reservation.canceled': { reservationId: string; conversationId: string; reason: string };
  'conversation.assigned': { conversationId: string; agentId: string };
  'conversation.updated': { conversation: PublicConversation };
  'message.created': { conversationId: string; message: PublicMessage };
  /** A message changed after it was created: delivery status, or `failed` with `error`. */
  'message.updated': { conversationId: string; message: PublicMessage };
  'queue.stats': { queues: QueueStats[] };
  'agent.presence': { agentId: string; presence: Presence; reason?: string };
  /** To supervisors (and the assignee, if any): an inbound text matched the crisis phrases. */
  'crisis.detected': {
    conversationId: string;
    number: number;
    queue: string;
    channel: Channel;
    level: 'high' | 'medium';
    reasons: string[];
    categories: string[];
    assigneeId: string | null;
    status: ConversationStatus;
  };
  /** To supervisors and the assignee: 80 % of an SLA target's time is used (once per due time). */
  'sla.warning': SlaAlert;
  /** To supervisors and the assignee: an SLA target was missed (once per due time). */
  'sla.breached': SlaAlert;
  'supervisor.alert': { conversationId: string; queue: string; waitingSeconds: number; reason: string };
  /** To every agent: an incident was declared, got a linked conversation, or was resolved (`status`). */
  'incident.updated': { incident: PublicIncident };
  /** To the conversation's audience: its contact answered the satisfaction survey. */
  'csat.received': CsatAlert;
  /** To the queue's supervisors and to admins: a score of 1 or 2 (core/csat/survey-policy.ts LOW_SCORE), once per survey. */
  'csat.low': CsatAlert;
  /** To the conversation's audience: a contact's text matches an open incident's words (one click links it). */
  'incident.suggested': { incidentId: string; conversationId: string; number: number; queue: string };
  /** To supervisors: several different contacts wrote about the same thing within minutes; declaring an incident may be due. */
  'incident.proposed': { proposal: IncidentProposal };
  /** To the reviewed agent (extension): a supervisor scored one of its conversations. */
  'review.created': { review: PublicReview };
};

/** A group of similar recent contacts (core/incidents/bursts.ts). */
export type IncidentProposal = Burst;

/** An incident as agents see it (`GET /api/incidents`, `incident.updated`). */
export type PublicIncident = {
  id: string;
  title: string;
  publicMessage: LocalizedText;
  /** Queues it concerns; empty = every queue. */
  queues: string[];
  status: IncidentStatus;
  declaredBy: string | null;
  declaredAt: string;
  resolvedBy: string | null;
  resolvedAt: string | null;
  resolutionMessage: LocalizedText | null;
  /** The linked conversations. */
  conversationIds: string[];
};

/** A survey answer as agents see it: on `GET /api/conversations/:id` (`conversation.csat`) and in `csat.*` events. */
export type PublicCsat = {
  /** 1–5; null while the survey waits for its answer. */
  score: number | null;
  comment: string | null;
  /** Where it was asked and answered: sms, email (the rating page), slack (buttons) or voice (keypad). */
  channel: Channel;
  /** When it was answered; null while waiting. */
  at: string | null;
  sentAt: string;
  expiresAt: string;
};

export type CsatAlert = {
  conversationId: string;
  number: number;
  queue: string;
  /** The agent who handled it (scores stay theirs after reassignment). */
  agentId: string | null;
  /** That agent's name (the desk's low-score alert names them), null when none. */
  agentName: string | null;
  csat: PublicCsat & { score: number; at: string };
};

export type SlaAlert = { conversationId: string; number: number; queue: string; kind: SlaKind; dueAt: string };

/** Domain code publishes; only the realtime layer turns this into socket emits, from any process. */
export type RealtimePublisher = {
  publish<E extends keyof RealtimeEvents>(to: string[], event: E, payload: RealtimeEvents[E]): void;
  /** Moves an agent's live sockets between rooms (their queues or role changed). */
  moveSockets(agentId: string, leave: string[], join: string[]): void;
  /** Closes every live socket of the agent, on every web process (its tokens were revoked). */
  disconnectAgent(agentId: string): void;
};

export type OutboundResult = { externalId: string; status: string };

export type OutboundMessage = {
  message: MessageRow;
  conversation: ConversationRow;
  /** The contact's address on this channel (phone, email, Slack user/channel). */
  to: string;
};

/**
 * One sender per channel. A sender only translates our message into the
 * vendor's call; it never decides routing.
 */
export type ChannelSender = {
  send(out: OutboundMessage): Promise<OutboundResult>;
  /** Optional (Slack): a plain-text note to a staff channel, in a thread when `threadTs` is given (incident posts). */
  staffPost?(channel: string, text: string, threadTs?: string): Promise<{ ts: string }>;
  /** Optional: tell the contact the conversation was resolved (Slack thread note…). */
  onResolved?(conversation: ConversationRow): Promise<void>;
  /**
   * Optional: an agent just accepted this conversation (voice: bridge the live
   * call to the agent's softphone). Called after commit; must not throw.
   */
  onAssigned?(conversation: ConversationRow, agentId: string): Promise<void>;
};

export type ChannelRegistry = Partial<Record<Channel, ChannelSender>>;

/**
 * Live call control: what `core/calls` asks of the telephony vendor. The core
 * decides when (and stores what happened); the adapter (Twilio's, in
 * `channels/voice`) only translates each request into the vendor's REST call.
 * A call joins its conversation's conference (`conferenceName`); the adapter
 * builds every webhook URL itself. Failures throw an Error whose message is
 * fit to show the agent.
 */
export type CallControl = {
  /** Rings a contact from one of our numbers; once they answer they join the conversation's conference. Returns the new call's id. */
  dialContact(opts: { conversationId: string; to: string; from: string }): Promise<string>;
  /**
   * Rings an agent's softphone into the conversation's conference (caller ID
   * the conversation's `inboxAddress`) for up to `ringSeconds`; its status
   * callbacks come back as the `agent` leg. Returns the agent leg's call id.
   */
  ringAgent(conversation: ConversationRow, agentId: string, ringSeconds: number): Promise<string>;
  /** Moves a caller's live call (in the IVR's hold loop) into the conversation's conference. */
  moveCallerToConference(conversation: ConversationRow): Promise<void>;
  /** Sends a live caller back to the hold loop of the flow node they queued through. */
  returnCallerToHoldLoop(conversation: ConversationRow): Promise<void>;
  /** Moves a live caller whose agent left to the post-call survey (core/csat/call-survey.ts); rejects when the call has ended. */
  sendCallerToSurvey(conversation: ConversationRow): Promise<void>;
  /** Puts a conference participant (the caller) on hold with hold audio, or back. */
  holdParticipant(conversation: ConversationRow, callSid: string, hold: boolean): Promise<void>;
  /** Drops a participant (an agent's leg) from the conversation's conference. */
  dropParticipant(conversation: ConversationRow, callSid: string): Promise<void>;
  /** Ends a call: `canceled` while it still rings, `completed` once in progress. */
  endCall(callSid: string, how: 'canceled' | 'completed'): Promise<void>;
  /** The vendor's view of a call (asked when its status callback may have been missed). */
  fetchCall(callSid: string): Promise<{ status: string; durationSeconds?: number }>;
  /** Deletes a recording (call or voicemail) at the vendor; one already gone counts as deleted. */
  deleteRecording(recordingSid: string): Promise<void>;
  /**
   * A recording's audio from the vendor, with the account's credentials, as a stream; `range`
   * (an HTTP Range header) is passed on so a player can seek. The vendor's status is returned as is.
   */
  fetchRecording(recordingSid: string, opts: { range?: string; signal?: AbortSignal }): Promise<RecordingMedia>;
};

/** A recording's audio (or part of it) as the vendor answered it. */
export type RecordingMedia = {
  status: number;
  contentType?: string;
  contentLength?: string;
  contentRange?: string;
  body: ReadableStream<Uint8Array> | null;
};

export type PublicConversation = {
  id: string;
  /** Human reference shown as `#1042`. */
  number: number;
  channel: Channel;
  queue: string;
  status: ConversationStatus;
  snoozedUntil: string | null;
  /** Since when it waits on the contact (status `pending`). */
  pendingSince: string | null;
  tags: string[];
  assigneeId: string | null;
  contactId: string;
  priority: number;
  subject: string | null;
  inboxAddress: string;
  createdAt: string;
  lastMessageAt: string;
  acceptedAt: string | null;
  resolvedAt: string | null;
  disposition: string | null;
  /**
   * The disposition's label ("Information provided" for `info-provided`): in `GET /api/conversations/:id`,
   * the resolve answer and the `conversation.updated` a resolve sends; absent elsewhere (read the code).
   */
  dispositionLabel?: string | null;
  /** What whoever resolved it wrote (the wrap-up note); null when nothing. */
  wrapUpNote: string | null;
  /** What the crisis matcher found in its inbound texts; null when nothing. */
  risk: ConversationRisk | null;
  /** SLA clocks of its queue's policy (all null without one) and the targets it missed. */
  sla: ReturnType<typeof publicSla>;
  /** The earliest SLA due time still running (the desk's countdown); null when none. */
  dueAt: string | null;
};

export type PublicMessage = {
  id: string;
  conversationId: string;
  channel: Channel;
  direction: 'inbound' | 'outbound';
  body: string;
  internal: boolean;
  status: string;
  /** Why a send failed (the vendor's reason); null otherwise. */
  error: string | null;
  authorAgentId: string | null;
  media: MessageRow['media'];
  metadata: Record<string, unknown>;
  createdAt: string;
};

export function toPublicConversation(c: ConversationRow): PublicConversation {
  return {
    id: c.id,
    number: c.number,
    channel: c.channel,
    queue: c.queueKey,
    status: c.status,
    snoozedUntil: c.snoozedUntil?.toISOString() ?? null,
    pendingSince: c.pendingSince?.toISOString() ?? null,
    tags: c.tags,
    assigneeId: c.assigneeId,
    contactId: c.contactId,
    priority: c.priority,
    subject: c.subject,
    inboxAddress: c.inboxAddress,
    createdAt: c.createdAt.toISOString(),
    lastMessageAt: c.lastMessageAt.toISOString(),
    acceptedAt: c.acceptedAt?.toISOString() ?? null,
    resolvedAt: c.resolvedAt?.toISOString() ?? null,
    disposition: c.disposition,
    wrapUpNote: c.wrapUpNote,
    risk: c.risk ?? null,
    sla: publicSla(c),
    dueAt: nextDueAt(c)?.toISOString() ?? null,
  };
}

export function toPublicMessage(m: MessageRow): PublicMessage {
  return {
    id: m.id,
    conversationId: m.conversationId,
    channel: m.channel,
    direction: m.direction,
    body: m.body,
    internal: m.internal,
    status: m.status,
    error: m.error,
    authorAgentId: m.authorAgentId,
    media: publicMedia(m),
    metadata: m.metadata,
    createdAt: m.createdAt.toISOString(),
  };
}
