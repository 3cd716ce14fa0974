import { sql, type Column } from 'drizzle-orm';
import {
  boolean,
  customType,
  check,
  index,
  integer,
  numeric,
  doublePrecision,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

import { CALLBACK_ORDERS, CHANNELS, IDENTITY_KINDS, LANGUAGES, ROLES } from './enums.js';

export { CHANNELS, IDENTITY_KINDS, LANGUAGES, ROLES };
export type Channel = (typeof CHANNELS)[number];

export type Role = (typeof ROLES)[number];

/** Presence an agent sets; `busy` (on a call) and `wrap-up` are set by the system. */
export const PRESENCES = ['available', 'away', 'offline', 'busy', 'wrap-up'] as const;
export type Presence = (typeof PRESENCES)[number];

/**
 * waiting: needs an agent, no live offer · offered: one live reservation ·
 * assigned: an agent owns it · pending: the agent waits on the contact · snoozed: put aside until
 * `snoozedUntil` · resolved: closed · abandoned: the contact left before an agent took it.
 * Only `assigned` counts against an agent's capacity.
 */
export const CONVERSATION_STATUSES = ['waiting', 'offered', 'assigned', 'pending', 'snoozed', 'resolved', 'abandoned'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];
/** Not closed: a new message from the contact joins it rather than opening another. */
export const OPEN_STATUSES = ['waiting', 'offered', 'assigned', 'pending', 'snoozed'] as const;

export const RESERVATION_STATUSES = ['pending', 'accepted', 'rejected', 'timeout', 'canceled'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

export type IdentityKind = (typeof IDENTITY_KINDS)[number];

export type Language = (typeof LANGUAGES)[number];

export type Capacity = Record<Channel, number>;
export const DEFAULT_CAPACITY: Capacity = { voice: 1, sms: 3, email: 5, slack: 3 };

/** One step of a queue's escalation plan; `afterSeconds` counts from when the contact started waiting. */
export type EscalationStep = {
  afterSeconds: number;
  /** Also offer to agents who serve these queues (an overflow skill). */
  addQueues?: string[];
  /** Raise the conversation's priority by this much. */
  raisePriority?: number;
  /** Tell supervisors the contact is still waiting. */
  notifySupervisors?: boolean;
};

/**
 * What the crisis matcher found in a conversation's inbound texts (merged over its messages):
 * the highest level, every kind of crisis and the words that matched. See docs/crisis.md.
 */
export type ConversationRisk = {
  level: 'high' | 'medium';
  categories: ('self-harm' | 'violence' | 'emergency')[];
  reasons: string[];
  /** First and latest detection (ISO). */
  detectedAt: string;
  lastDetectedAt: string;
};

/** A text per language (`en` always; `es` when given): incident notices, configured resources text. */
export type LocalizedText = { en: string; es?: string };

export type BusinessHours = {
  timezone: string;
  /** day 0 = Sunday; times "HH:MM" in that timezone */
  open: { day: number; from: string; to: string }[];
  holidays?: string[];
};

/** A text for contacts: one for everyone, or per language (`en` used when the contact's is missing). */
export type ContactTextVariants = string | { en: string; es?: string };

/**
 * Service-level targets of a queue's requests (see src/core/requests/sla.ts), counted on its
 * business-hours clock when it has one. `nextResponseSeconds`: after each contact message.
 */
export type SlaPolicy = { firstResponseSeconds: number; nextResponseSeconds?: number | null; resolutionSeconds: number };

/** Texts sent on a new SMS, email or Slack conversation; `{number}` becomes the reference. */
export type AutoReply = { open?: ContactTextVariants | null; closed?: ContactTextVariants | null };

/**
 * Where callbacks and voicemails of a queue wait, against live callers of the same priority:
 * behind them (the default: someone on the line goes first), in arrival order, or ahead of them.
 */
export { CALLBACK_ORDERS };
export type CallbackOrder = (typeof CALLBACK_ORDERS)[number];

export const SLA_KINDS = ['firstResponse', 'nextResponse', 'resolution'] as const;
export type SlaKind = (typeof SLA_KINDS)[number];

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const ts = (name: string) => timestamp(name, { withTimezone: true });

export const queues = pgTable('queues', {
  key: text('key').primaryKey(),
  name: text('name').notNull(),
  priority: integer('priority').notNull().default(0),
  /** Service-level target: answered within this many seconds. */
  slaSeconds: integer('sla_seconds').notNull().default(60),
  /** After this long waiting, a caller is offered voicemail or a callback. */
  maxWaitSeconds: integer('max_wait_seconds').notNull().default(600),
  businessHours: jsonb('business_hours').$type<BusinessHours | null>(),
  escalation: jsonb('escalation').$type<EscalationStep[]>().notNull().default([]),
  /** From address for email replies in this queue (MAIL_FROM otherwise). */
  emailFrom: text('email_from'),
  /** A pending conversation with no word from the contact for this long is resolved with a final note; null = never. */
  autoResolvePendingSeconds: integer('auto_resolve_pending_seconds').default(7 * 24 * 3600),
  /** Ask the contact for a 1–5 satisfaction score after resolution (SMS, email, Slack; see core/csat). */
  csat: boolean('csat').notNull().default(true),
  /** After a call with an agent, keep the caller on the line for a "press 1 to 5" survey. */
  csatVoice: boolean('csat_voice').notNull().default(false),
  /** Request SLA targets; null = none (the routing `slaSeconds` is the answer-time target for queue figures). */
  sla: jsonb('sla').$type<SlaPolicy | null>(),
  /** Acknowledgement / after-hours texts on new text conversations; null = none. */
  autoReply: jsonb('auto_reply').$type<AutoReply | null>(),
  /** Callbacks and voicemails against live callers of the same priority (src/core/calls/call-meta.ts). */
  callbackOrder: text('callback_order').$type<CallbackOrder>().notNull().default('afterLive'),
  createdAt: createdAt(),
});

export const agents = pgTable(
  'agents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role').$type<Role>().notNull().default('agent'),
    presence: text('presence').$type<Presence>().notNull().default('offline'),
    presenceChangedAt: ts('presence_changed_at').notNull().defaultNow(),
    capacity: jsonb('capacity').$type<Capacity>().notNull().default(DEFAULT_CAPACITY),
    /** When the router last offered this agent work; null = never (first in line). */
    lastOfferedAt: ts('last_offered_at'),
    /** Offers in a row this agent let time out (reset on accept). */
    consecutiveTimeouts: integer('consecutive_timeouts').notNull().default(0),
    /**
     * Last sign of a desk socket (connect, disconnect, heartbeat of the web process holding it).
     * Null = never used the desk: API-only agents are never set offline for lack of sockets.
     */
    lastSeenAt: ts('last_seen_at'),
    /** A deactivated agent cannot sign in and its tokens are refused (see core/agents/deactivate-agent.ts). */
    active: boolean('active').notNull().default(true),
    /**
     * Carried in every token and checked on every request and socket handshake: bumping it
     * (deactivation, password change) refuses every token issued before, at once.
     */
    tokenVersion: integer('token_version').notNull().default(0),
    /** TOTP secret, encrypted (core/auth/secret-box.ts); set by MFA setup, in force once `mfaEnabledAt` is set. */
    mfaSecret: text('mfa_secret'),
    mfaEnabledAt: ts('mfa_enabled_at'),
    /** Last TOTP time step accepted: a code is good once (RFC 6238 §5.2). */
    mfaLastStep: integer('mfa_last_step'),
    /** Set for a password someone else chose (the first admin's generated one): only a change of password is open until then. */
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    /** The desk's language for this agent. */
    language: text('language').$type<Language>().notNull().default('en'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('agents_email_unique').on(sql`lower(${t.email})`)],
);

/**
 * One-time set-password links an admin hands to an agent (issue 11): only a SHA-256 of the
 * random token is kept, so a copy of the database cannot be used to take an account.
 */
export const agentInvites = pgTable(
  'agent_invites',
  {
    tokenHash: text('token_hash').primaryKey(),
    agentId: uuid('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by').references(() => agents.id, { onDelete: 'set null' }),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
    createdAt: createdAt(),
  },
  (t) => [index('agent_invites_agent_idx').on(t.agentId)],
);

/** One-time MFA recovery codes, stored as keyed hashes (never the codes themselves). */
export const mfaRecoveryCodes = pgTable(
  'mfa_recovery_codes',
  {
    agentId: uuid('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: ts('used_at'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.agentId, t.codeHash] })],
);

export const agentQueues = pgTable(
  'agent_queues',
  {
    agentId: uuid('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    queueKey: text('queue_key')
      .notNull()
      .references(() => queues.key, { onDelete: 'cascade' }),
    /** Skill level 1–5: higher is offered first. */
    level: integer('level').notNull().default(3),
  },
  (t) => [
    primaryKey({ columns: [t.agentId, t.queueKey] }),
    index('agent_queues_queue_idx').on(t.queueKey),
    check('agent_queues_level_range', sql`${t.level} between 1 and 5`),
  ],
);

export const inboxes = pgTable(
  'inboxes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind').$type<IdentityKind>().notNull(),
    /** E.164 number, email address (lower case) or Slack channel id. */
    address: text('address').notNull(),
    queueKey: text('queue_key')
      .notNull()
      .references(() => queues.key),
    /** IVR flow name for phone inboxes (file in ivr-flows/ without extension). */
    flow: text('flow'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('inboxes_kind_address_unique').on(t.kind, t.address)],
);

export const contacts = pgTable(
  'contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name'),
    /** Language for texts sent to this contact (set by the IVR choice or an agent); null = English. */
    language: text('language').$type<Language>(),
    /** Agents' notes about the contact (not shown to the contact). */
    notes: text('notes'),
    /** Free-form facts such as a donor id or a volunteer role. */
    attributes: jsonb('attributes').$type<Record<string, string>>().notNull().default({}),
    createdAt: createdAt(),
  },
  // Name fragments in contact lists and search (pg_trgm). Named contacts only: every search is an
  // `ilike`, which no null name matches, and a contact made by a first text has no name.
  (t) => [
    index('contacts_name_trgm_idx')
      .using('gin', sql`${t.name} gin_trgm_ops`)
      .where(sql`${t.name} is not null`),
  ],
);

export const contactIdentities = pgTable(
  'contact_identities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<IdentityKind>().notNull(),
    value: text('value').notNull(),
    /** SMS opt-out (STOP) for phone identities; null = may be texted. */
    optedOutAt: ts('opted_out_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('contact_identities_kind_value_unique').on(t.kind, t.value),
    index('contact_identities_contact_idx').on(t.contactId),
    // Phone and email fragments ("5309", "@example.org") in contact lists and search (pg_trgm).
    index('contact_identities_value_trgm_idx').using('gin', sql`${t.value} gin_trgm_ops`),
  ],
);

/**
 * Opt-outs (SMS STOP) that outlived their contact: an erased or purged contact's opted-out number
 * stays here, so texting it stays blocked and a new contact for that number starts opted out
 * (until it texts START). Only the address and the date, nothing else.
 */
export const keptOptOuts = pgTable(
  'kept_opt_outs',
  {
    kind: text('kind').$type<IdentityKind>().notNull(),
    value: text('value').notNull(),
    optedOutAt: ts('opted_out_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.value] })],
);

/**
 * A conversation with at least one tag: the predicate of `conversations_tags_idx`, which a tag
 * filter repeats word for word so the planner may use that index (it cannot infer it from `@>`).
 */
export const tagged = (tags: Column) => sql`cardinality(${tags}) > 0`;

export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Human reference (#1042), increasing from 1000; contacts see it in auto-replies. */
    number: integer('number').notNull().generatedByDefaultAsIdentity({ startWith: 1000 }),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id),
    /**
     * The contact's address this conversation talks to (the number that texted, the address that
     * wrote): a contact may have several after a merge, and replies must go back to the right one.
     */
    contactIdentityId: uuid('contact_identity_id').references(() => contactIdentities.id, { onDelete: 'set null' }),
    channel: text('channel').$type<Channel>().notNull(),
    queueKey: text('queue_key')
      .notNull()
      .references(() => queues.key),
    status: text('status').$type<ConversationStatus>().notNull().default('waiting'),
    /** A snoozed conversation comes back to its assignee at this time. */
    snoozedUntil: ts('snoozed_until'),
    /** Since when it waits on the contact (status `pending`); null otherwise. */
    pendingSince: ts('pending_since'),
    /** Wall-clock seconds spent `pending` in earlier spells (reports); the current spell is `now - pending_since`. */
    pendingSeconds: integer('pending_seconds').notNull().default(0),
    /** Free-form labels (lower case), filterable in the desk and the API. */
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    priority: integer('priority').notNull().default(0),
    assigneeId: uuid('assignee_id').references(() => agents.id),
    /** Our side of the channel: the hotline number, the inbound email address, the Slack channel. */
    inboxAddress: text('inbox_address').notNull(),
    /**
     * Distinguishes parallel open conversations of one contact on one channel:
     * '' for SMS, the CallSid for a call, the thread root for email and Slack.
     */
    threadKey: text('thread_key').notNull().default(''),
    subject: text('subject'),
    /** Channel specifics that do not deserve a column (call sids, Slack team…). */
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    disposition: text('disposition'),
    wrapUpNote: text('wrap_up_note'),
    createdAt: createdAt(),
    /** When it (last) started waiting for an agent: orders the queue. */
    queuedAt: ts('queued_at').notNull().defaultNow(),
    firstOfferedAt: ts('first_offered_at'),
    acceptedAt: ts('accepted_at'),
    firstReplyAt: ts('first_reply_at'),
    resolvedAt: ts('resolved_at'),
    abandonedAt: ts('abandoned_at'),
    lastMessageAt: ts('last_message_at').notNull().defaultNow(),
    /** How many steps of its queue's escalation plan have fired (steps run in `afterSeconds` order). */
    escalationStep: integer('escalation_step').notNull().default(0),
    /** Extra queues whose agents may also take it (escalation overflow). */
    overflowQueues: text('overflow_queues')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    /** Set when an inbound text matched the crisis phrases; never cleared (the history matters). */
    risk: jsonb('risk').$type<ConversationRisk>(),
    /** When the crisis-resources text was queued: at most once per conversation. */
    crisisResourcesSentAt: ts('crisis_resources_sent_at'),
    /** Times it was handed to another queue or agent (reports). */
    transferCount: integer('transfer_count').notNull().default(0),
    /**
     * The agent who last handed it on, and their note for the receiver, until someone accepts it:
     * the receiver's offer shows both, and routing passes the sender by (src/core/routing/policy.ts).
     */
    transferredBy: uuid('transferred_by').references(() => agents.id, { onDelete: 'set null' }),
    transferNote: text('transfer_note'),
    /*
     * SLA clocks (src/core/requests/sla.ts): each target's due time and its 80 % warning time, both
     * on the queue's business-hours clock; null = not running (met, not applicable, or pending).
     */
    firstResponseDueAt: ts('first_response_due_at'),
    firstResponseWarnAt: ts('first_response_warn_at'),
    nextResponseDueAt: ts('next_response_due_at'),
    nextResponseWarnAt: ts('next_response_warn_at'),
    resolutionDueAt: ts('resolution_due_at'),
    resolutionWarnAt: ts('resolution_warn_at'),
    /** This conversation's breaches, as stored in `sla_events` (the record reports read), for every view of it. */
    slaBreaches: jsonb('sla_breaches').$type<{ kind: SlaKind; at: string; dueAt: string }[]>().notNull().default([]),
  },
  (t) => [
    uniqueIndex('conversations_one_open_per_thread')
      .on(t.contactId, t.channel, t.threadKey)
      .where(sql`${t.status} in ('waiting', 'offered', 'assigned', 'pending', 'snoozed')`),
    uniqueIndex('conversations_number_unique').on(t.number),
    index('conversations_waiting_lane_idx')
      .on(t.queueKey, t.channel, t.priority.desc(), t.queuedAt)
      .where(sql`${t.status} = 'waiting'`),
    index('conversations_assignee_idx')
      .on(t.assigneeId, t.channel)
      .where(sql`${t.status} = 'assigned'`),
    index('conversations_created_idx').on(t.createdAt.desc(), t.id.desc()),
    index('conversations_contact_idx').on(t.contactId),
    // Tagged conversations only (most have no tag, and each write would add an entry for the empty array).
    index('conversations_tags_idx').using('gin', t.tags).where(tagged(t.tags)),
    // Wake-ups of the request timers (src/core/requests/timers.ts): snoozes ending, pending going stale.
    index('conversations_snoozed_until_idx')
      .on(t.snoozedUntil)
      .where(sql`${t.status} = 'snoozed'`),
    index('conversations_pending_since_idx')
      .on(t.pendingSince)
      .where(sql`${t.status} = 'pending'`),
    // Heads of overflow lanes: escalated waiting work, in routing order, filtered by queue.
    index('conversations_overflow_lane_idx')
      .on(t.channel, t.priority.desc(), t.queuedAt)
      .where(sql`${t.status} = 'waiting' and cardinality(${t.overflowQueues}) > 0`),
    // SLA timers over open conversations (due >= warning, so one index per kind serves both levels).
    // Only running clocks: a row without one (no policy, or met) would add an entry at every write
    // of the conversation (its status changes three times per text) that `warn <= now()` never finds.
    index('conversations_first_response_warn_idx')
      .on(t.firstResponseWarnAt)
      .where(sql`${t.status} in ('waiting', 'offered', 'assigned', 'pending', 'snoozed') and ${t.firstResponseWarnAt} is not null`),
    index('conversations_next_response_warn_idx')
      .on(t.nextResponseWarnAt)
      .where(sql`${t.status} in ('waiting', 'offered', 'assigned', 'pending', 'snoozed') and ${t.nextResponseWarnAt} is not null`),
    index('conversations_resolution_warn_idx')
      .on(t.resolutionWarnAt)
      .where(sql`${t.status} in ('waiting', 'offered', 'assigned', 'pending', 'snoozed') and ${t.resolutionWarnAt} is not null`),
    // Open risk-flagged work, for the supervisors' crisis banner.
    index('conversations_open_risk_idx')
      .on(t.lastMessageAt.desc())
      .where(sql`${t.risk} is not null and ${t.status} in ('waiting', 'offered', 'assigned', 'pending', 'snoozed')`),
  ],
);

export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    channel: text('channel').$type<Channel>().notNull(),
    direction: text('direction').$type<'inbound' | 'outbound'>().notNull(),
    body: text('body').notNull().default(''),
    internal: boolean('internal').notNull().default(false),
    authorAgentId: uuid('author_agent_id').references(() => agents.id),
    /** Vendor id: MessageSid, email Message-ID, Slack ts, CallSid. */
    externalId: text('external_id'),
    /** received · note · pending → sending → sent/queued → delivered/read · failed/undelivered */
    status: text('status').notNull().default('received'),
    /** Why a send failed (the vendor's reason), shown to agents beside a Retry button. */
    error: text('error'),
    /** When the current send attempt claimed it (pending → sending); a send stuck past this is reported failed. */
    sendingAt: ts('sending_at'),
    /** Media URLs (MMS) and attachments, stored as references; the server never fetches MMS media. */
    media: jsonb('media').$type<{ url: string; contentType?: string; name?: string; size?: number }[]>().notNull().default([]),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    /** Full-text search over the body in English and Spanish (stemmed both ways), kept by Postgres. */
    search: tsvector('search').generatedAlwaysAs(
      (): ReturnType<typeof sql> =>
        sql`to_tsvector('english'::regconfig, coalesce(body, '')) || to_tsvector('spanish'::regconfig, coalesce(body, ''))`,
    ),
  },
  (t) => [
    index('messages_search_idx').using('gin', t.search),
    uniqueIndex('messages_channel_external_unique').on(t.channel, t.externalId),
    index('messages_conversation_idx').on(t.conversationId, t.createdAt),
    index('messages_pending_idx')
      .on(t.createdAt)
      .where(sql`${t.status} in ('pending', 'sending')`),
    // The incident check reads the newest inbound texts and stops at its limit (propose-incidents.ts).
    index('messages_inbound_created_idx')
      .on(t.createdAt)
      .where(sql`${t.direction} = 'inbound' and ${t.metadata}->>'control' is null`),
  ],
);

export const reservations = pgTable(
  'reservations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    agentId: uuid('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    channel: text('channel').$type<Channel>().notNull(),
    status: text('status').$type<ReservationStatus>().notNull().default('pending'),
    reason: text('reason'),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
    answeredAt: ts('answered_at'),
  },
  (t) => [
    // A conversation never has two live offers: the database says so.
    uniqueIndex('reservations_one_pending_per_conversation')
      .on(t.conversationId)
      .where(sql`${t.status} = 'pending'`),
    index('reservations_agent_pending_idx')
      .on(t.agentId, t.channel)
      .where(sql`${t.status} = 'pending'`),
    index('reservations_conversation_idx').on(t.conversationId, t.createdAt),
    // Offer figures over a rolling window.
    index('reservations_created_idx').on(t.createdAt),
  ],
);

/**
 * Webhook deliveries already handled, keyed by the vendor's id (MessageSid,
 * CallSid:CallStatus, Slack event_id, email Message-ID). Inserting first, in the
 * same transaction as the work, makes redelivery — even concurrent — a no-op.
 */
export const inboundEvents = pgTable(
  'inbound_events',
  {
    source: text('source').notNull(),
    externalId: text('external_id').notNull(),
    /** What we answered the first time, so a redelivery gets the same answer. */
    response: jsonb('response'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.source, t.externalId] })],
);

/**
 * Files that came with an inbound message (email attachments, the original .eml),
 * kept in Postgres so every web process can serve them; downloads check who may see the conversation.
 * The bytes are in `file_chunks` (streamed in as the mail is read, never whole in memory); `data`
 * holds files stored before chunking existed. A file is written before its message exists
 * (`message_id` null: staged) and attached once the message is stored; staged files a crash left
 * behind are swept after an hour.
 */
export const attachments = pgTable(
  'attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'cascade' }),
    /** 'attachment' (a file the sender attached, or an inline image) or 'original' (the raw message as received). */
    role: text('role').$type<'attachment' | 'original'>().notNull().default('attachment'),
    filename: text('filename').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    data: bytea('data'),
    createdAt: createdAt(),
  },
  (t) => [
    index('attachments_message_idx').on(t.messageId),
    index('attachments_staged_idx')
      .on(t.createdAt)
      .where(sql`${t.messageId} is null`),
  ],
);

/** An attachment's bytes in order, FILE_CHUNK_BYTES at a time (see src/core/files/file-store.ts). */
export const fileChunks = pgTable(
  'file_chunks',
  {
    fileId: uuid('file_id')
      .notNull()
      .references(() => attachments.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.fileId, t.seq] })],
);

/**
 * Who did what, append-only: logins and failures, changes to agents, queues and inboxes (with
 * before/after), exports, erasures, supervisors opening conversations outside their queues.
 * Written in the same transaction as the change. No foreign keys: entries outlive what they name.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    at: ts('at').notNull().defaultNow(),
    /** The agent who acted; null for the system or an unauthenticated caller (a failed login). */
    actorId: uuid('actor_id'),
    /** Dotted verb, e.g. `auth.login`, `auth.login_failed`, `agent.update`, `contact.erase`. */
    action: text('action').notNull(),
    /** What it acted on, e.g. `agent:<uuid>`, `queue:donor`, `conversation:<uuid>`. */
    target: text('target'),
    /** Client address as seen through the configured proxies. */
    ip: text('ip'),
    /** Before/after and other facts; never message bodies or secrets. */
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at.desc()),
    index('audit_log_actor_idx').on(t.actorId, t.at.desc()),
    index('audit_log_action_idx').on(t.action, t.at.desc()),
  ],
);

/** Phrases an admin added to the crisis matcher (`PUT /api/crisis/terms`), on top of the built-in ones. */
export const crisisTerms = pgTable(
  'crisis_terms',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    language: text('language').$type<Language>().notNull(),
    level: text('level').$type<'high' | 'medium'>().notNull(),
    phrase: text('phrase').notNull(),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('crisis_terms_unique').on(t.language, t.level, t.phrase)],
);

/** Crisis settings, one row (id 1): the resources text contacts get, the staff Slack channel for incidents. */
export const crisisSettings = pgTable(
  'crisis_settings',
  {
    id: integer('id').primaryKey().default(1),
    /** Replaces the built-in crisis-resources text (988, 911) per language; null = built-in. */
    resourcesText: jsonb('resources_text').$type<LocalizedText | null>(),
    /** Slack channel id where declared and resolved incidents are posted for staff; null = none. */
    staffSlackChannel: text('staff_slack_channel'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [check('crisis_settings_one_row', sql`${t.id} = 1`)],
);

export const INCIDENT_STATUSES = ['open', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/**
 * A major incident a supervisor declared (donation page down, office closed, event cancelled):
 * while open, callers hear its public message and auto-replies carry it; linked conversations
 * hear its resolution.
 */
export const incidents = pgTable(
  'incidents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: text('title').notNull(),
    publicMessage: jsonb('public_message').$type<LocalizedText>().notNull(),
    /** Queues it concerns; empty = every queue. */
    queues: text('queues')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    status: text('status').$type<IncidentStatus>().notNull().default('open'),
    declaredBy: uuid('declared_by').references(() => agents.id),
    declaredAt: ts('declared_at').notNull().defaultNow(),
    resolvedBy: uuid('resolved_by').references(() => agents.id),
    resolvedAt: ts('resolved_at'),
    resolutionMessage: jsonb('resolution_message').$type<LocalizedText | null>(),
    /** Where the staff Slack post went (channel, ts), to thread the resolution under it. */
    slackPost: jsonb('slack_post').$type<{ channel: string; ts: string } | null>(),
  },
  (t) => [
    index('incidents_open_idx')
      .on(t.declaredAt.desc())
      .where(sql`${t.status} = 'open'`),
  ],
);

/** Conversations an agent linked to an incident; each hears the resolution once. */
export const incidentConversations = pgTable(
  'incident_conversations',
  {
    incidentId: uuid('incident_id')
      .notNull()
      .references(() => incidents.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    linkedBy: uuid('linked_by').references(() => agents.id),
    linkedAt: ts('linked_at').notNull().defaultNow(),
    /** When the resolution message was queued to this contact. */
    notifiedAt: ts('notified_at'),
  },
  (t) => [primaryKey({ columns: [t.incidentId, t.conversationId] }), index('incident_conversations_conversation_idx').on(t.conversationId)],
);

/**
 * A satisfaction survey sent to a contact after resolution, and its answer. One per conversation.
 * SMS surveys wait for a 1–5 reply from the same number until `expiresAt` (see core/csat).
 */
export const csatSurveys = pgTable(
  'csat_surveys',
  {
    conversationId: uuid('conversation_id')
      .primaryKey()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    channel: text('channel').$type<Channel>().notNull(),
    /** The address asked (an SMS answer must come from it). */
    contactIdentityId: uuid('contact_identity_id').references(() => contactIdentities.id, { onDelete: 'set null' }),
    /** The agent who resolved it, kept so scores stay with them after reassignment. */
    agentId: uuid('agent_id').references(() => agents.id, { onDelete: 'set null' }),
    sentAt: ts('sent_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
    score: integer('score'),
    comment: text('comment'),
    answeredAt: ts('answered_at'),
  },
  (t) => [
    check('csat_surveys_score_range', sql`${t.score} between 1 and 5`),
    index('csat_surveys_open_idx')
      .on(t.contactIdentityId, t.sentAt.desc())
      .where(sql`${t.answeredAt} is null`),
  ],
);

/** A criterion of the quality scorecard: scored 1–5 in each review. */
export type ScorecardCriterion = { key: string; label: string };

/** The quality scorecard admins configure, one row (id 1); absent = the built-in criteria. */
export const qualityScorecard = pgTable(
  'quality_scorecard',
  {
    id: integer('id').primaryKey().default(1),
    criteria: jsonb('criteria').$type<ScorecardCriterion[]>().notNull(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [check('quality_scorecard_one_row', sql`${t.id} = 1`)],
);

/** A supervisor's quality review of one conversation (or call recording), for the agent who handled it. */
export const qualityReviews = pgTable(
  'quality_reviews',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    /** The agent reviewed: who handled the conversation. */
    agentId: uuid('agent_id').references(() => agents.id, { onDelete: 'set null' }),
    reviewerId: uuid('reviewer_id').references(() => agents.id, { onDelete: 'set null' }),
    scores: jsonb('scores').$type<Record<string, number>>().notNull(),
    /** Mean of `scores`, stored so reports average it in SQL. */
    average: real('average').notNull(),
    comment: text('comment'),
    createdAt: createdAt(),
  },
  (t) => [
    index('quality_reviews_agent_idx').on(t.agentId, t.createdAt.desc()),
    index('quality_reviews_conversation_idx').on(t.conversationId),
  ],
);

/**
 * One narrow row per conversation with the figures reports read (src/core/reports/summary.ts):
 * the same definitions as a scan of `conversations` (view `conversation_facts_source`), so the
 * report reads 60 bytes a conversation instead of a wide row, its survey and its reviews. Kept
 * by triggers on `conversations`, `csat_surveys` and `quality_reviews` in the same transaction as
 * the change (migrations/0018, and 0020 for the conversation's own columns), so a late CSAT answer
 * or review counts at once. Local days and hours are not stored: they follow the organisation's
 * time zone at query time, whatever it is.
 */
export const conversationFacts = pgTable(
  'conversation_facts',
  {
    conversationId: uuid('conversation_id')
      .primaryKey()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    createdAt: ts('created_at').notNull(),
    queueKey: text('queue_key').notNull(),
    assigneeId: uuid('assignee_id'),
    channel: text('channel').$type<Channel>().notNull(),
    disposition: text('disposition'),
    abandoned: boolean('abandoned').notNull(),
    resolved: boolean('resolved').notNull(),
    /**
     * Accepted − created, inbound only (null: not answered, or ours); numeric as `extract(epoch …)`
     * gives it. Not float8, though summing numerics costs more: the mean of values with exact
     * decimals must round a tie (43741.15) as the definition does, and a float sum may land just
     * below it.
     */
    waitSeconds: numeric('wait_seconds'),
    /** First reply − created, inbound only; float8 as the percentile reads it. */
    firstResponseSeconds: doublePrecision('first_response_seconds'),
    resolutionSeconds: doublePrecision('resolution_seconds'),
    handleSeconds: numeric('handle_seconds'),
    transfers: integer('transfers').notNull(),
    slaBreaches: integer('sla_breaches').notNull(),
    csatSent: boolean('csat_sent').notNull(),
    csatScore: integer('csat_score'),
    /** Sum of its reviews' averages (real, as `sum(real)` gives it) and how many. */
    reviewSum: real('review_sum'),
    reviews: integer('reviews').notNull(),
  },
  (t) => [index('conversation_facts_created_idx').on(t.createdAt)],
);

/**
 * Canned responses offered in the composer (`GET /api/canned-responses`): global (`queueKey`
 * null) or for one queue; `language` null suits any contact, otherwise a variant for contacts of
 * that language (variants share a title). The body may hold `{contact.first_name}`,
 * `{agent.name}` and `{conversation.number}` (core/content/fill-canned.ts).
 */
export const cannedResponses = pgTable(
  'canned_responses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    queueKey: text('queue_key').references(() => queues.key, { onDelete: 'cascade' }),
    language: text('language').$type<Language>(),
    createdAt: createdAt(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [index('canned_responses_queue_idx').on(t.queueKey)],
);

/**
 * Resolution codes (`POST /api/conversations/:id/resolve {disposition}` accepts only these):
 * global (`queueKey` null) or for one queue. One used by a conversation is archived, not deleted,
 * so reports keep its label.
 */
export const dispositions = pgTable(
  'dispositions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    code: text('code').notNull(),
    label: text('label').notNull(),
    queueKey: text('queue_key').references(() => queues.key, { onDelete: 'cascade' }),
    archivedAt: ts('archived_at'),
    createdAt: createdAt(),
  },
  // One code per scope: '' stands for global, since null never collides in a unique index.
  (t) => [uniqueIndex('dispositions_code_scope_unique').on(t.code, sql`coalesce(${t.queueKey}, '')`)],
);

/**
 * SLA warnings (80 % of the time used) and breaches, once per conversation, kind and due time: the
 * unique key is what makes several workers alert once. Breach rows are what reports count.
 */
export const slaEvents = pgTable(
  'sla_events',
  {
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<SlaKind>().notNull(),
    level: text('level').$type<'warning' | 'breach'>().notNull(),
    dueAt: ts('due_at').notNull(),
    queueKey: text('queue_key').notNull(),
    assigneeId: uuid('assignee_id'),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.kind, t.level, t.dueAt] }), index('sla_events_at_idx').on(t.at, t.level)],
);

/**
 * The built-in sandbox's side of every vendor (src/sandbox): what Switchboard "sent" (outbound) and what
 * a sandbox contact typed (inbound), for the /sandbox screen. `pendingStatuses` are the delivery reports
 * still to be posted back through the real status webhook, the first one at `nextStatusAt`.
 */
export const sandboxMessages = pgTable(
  'sandbox_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    channel: text('channel').$type<Channel>().notNull(),
    direction: text('direction').$type<'inbound' | 'outbound'>().notNull(),
    /** The contact's address on the channel (phone, email, Slack user id): the thread it belongs to. */
    contact: text('contact').notNull(),
    /** The contact's name as the sandbox played it (Slack profile), if any. */
    contactName: text('contact_name'),
    /** Our side: the number, mailbox or Slack channel. */
    inbox: text('inbox').notNull(),
    body: text('body').notNull(),
    subject: text('subject'),
    /** The vendor's id for it (Twilio sid, Message-ID, Slack ts). */
    externalId: text('external_id').notNull(),
    status: text('status').notNull(),
    pendingStatuses: text('pending_statuses')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    nextStatusAt: ts('next_status_at'),
    /** Where the delivery reports go (Twilio's StatusCallback), and vendor details (thread ids, call legs). */
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    index('sandbox_messages_created_idx').on(t.createdAt),
    index('sandbox_messages_status_due_idx')
      .on(t.nextStatusAt)
      .where(sql`cardinality(${t.pendingStatuses}) > 0`),
  ],
);

export type QueueRow = typeof queues.$inferSelect;
export type AgentRow = typeof agents.$inferSelect;
export type ContactRow = typeof contacts.$inferSelect;
export type IdentityRow = typeof contactIdentities.$inferSelect;
export type ConversationRow = typeof conversations.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;
export type ReservationRow = typeof reservations.$inferSelect;
export type InboxRow = typeof inboxes.$inferSelect;
export type AttachmentRow = typeof attachments.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
export type CrisisTermRow = typeof crisisTerms.$inferSelect;
export type IncidentRow = typeof incidents.$inferSelect;
export type CannedResponseRow = typeof cannedResponses.$inferSelect;
export type DispositionRow = typeof dispositions.$inferSelect;
export type SandboxMessageRow = typeof sandboxMessages.$inferSelect;
export type CsatSurveyRow = typeof csatSurveys.$inferSelect;
