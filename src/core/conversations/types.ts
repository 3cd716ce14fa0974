import { z } from 'zod';
import { CHANNELS, IDENTITY_KINDS, LANGUAGES } from '../../db/schema.js';

/**
 * The one shape every channel adapter translates its vendor payload into.
 * Adapters fill it; `ingestInbound` decides everything else.
 */
export const ZInboundMessage = z.object({
  channel: z.enum(CHANNELS),
  /** Vendor id of this delivery (MessageSid, Message-ID, Slack event id, CallSid): redelivery is a no-op. */
  externalId: z.string().min(1),
  from: z.object({
    kind: z.enum(IDENTITY_KINDS),
    value: z.string().min(1),
    name: z.string().optional(),
  }),
  /** Other identities the vendor vouches for (a Slack profile's email): joins an existing contact. */
  alsoKnownAs: z.array(z.object({ kind: z.enum(IDENTITY_KINDS), value: z.string().min(1) })).default([]),
  /** Our address it came in on: the Twilio number, the email address, the Slack channel. */
  inboxAddress: z.string().min(1),
  /** Separates parallel conversations on one channel (email thread, Slack thread, CallSid); '' for SMS. */
  threadKey: z.string().default(''),
  /** When set, join exactly this conversation if it is still open (verified email threading). */
  conversationId: z.string().uuid().optional(),
  /** A queue chosen for this contact (the IVR's menu): wins over the inbox mapping. */
  queue: z.string().optional(),
  /** A fallback when no inbox maps the address (email local part `it@…`). */
  queueHint: z.string().optional(),
  /** Added to the queue's priority (IVR urgency, crisis keywords). */
  priorityBoost: z.number().int().default(0),
  /** Waits to be called back, not live (a callback request, a voicemail): the queue's `callbackOrder` places it. */
  callback: z.boolean().default(false),
  subject: z.string().optional(),
  /** A language the contact chose (the IVR's language menu): stored on the contact. */
  contactLanguage: z.enum(LANGUAGES).optional(),
  body: z.string().default(''),
  media: z
    .array(z.object({ url: z.string(), contentType: z.string().optional(), name: z.string().optional(), size: z.number().optional() }))
    .default([]),
  /**
   * Files already written (staged, src/core/files/file-store.ts) that become this message's files in
   * the same transaction that stores it; a redelivery leaves them staged for the caller to discard.
   */
  stagedFileIds: z.array(z.string().uuid()).default([]),
  metadata: z.record(z.string(), z.unknown()).default({}),
  /** What a newly opened conversation keeps (call sids, reply addresses); defaults to `metadata`. */
  conversationMetadata: z.record(z.string(), z.unknown()).optional(),
  /**
   * Control messages never open a conversation (they join an open one, if any, so agents see them):
   * SMS opt-out/opt-in/help keywords, email auto-replies.
   */
  control: z.enum(['opt-out', 'opt-in', 'help', 'auto-reply']).optional(),
  /**
   * The channel could not verify the sender (an email failing DMARC): anyone may have written it
   * in the contact's name, so it never joins an existing conversation (see ingest-inbound.ts).
   */
  unverifiedSender: z.boolean().default(false),
});

/** The tag an unverified sender's conversation carries (filterable in the desk and the API). */
export const UNVERIFIED_SENDER_TAG = 'unverified-sender';

export type InboundMessage = z.input<typeof ZInboundMessage>;
export type ParsedInbound = z.output<typeof ZInboundMessage>;

/** Default queue per channel when neither an inbox nor a hint names one (the contract's defaults). */
export const DEFAULT_QUEUE_BY_CHANNEL = {
  voice: 'donor',
  sms: 'donor',
  email: 'donor',
  slack: 'volunteer',
} as const;

export const DEFAULT_QUEUES = [
  { key: 'donor', name: 'Donor support & store', priority: 10, slaSeconds: 60 },
  { key: 'volunteer', name: 'Volunteers & HR', priority: 10, slaSeconds: 120 },
  { key: 'partner', name: 'Partners & endorsers', priority: 10, slaSeconds: 300 },
  { key: 'it', name: 'IT help', priority: 10, slaSeconds: 300 },
  // Someone in crisis is never asked to rate the call (core/csat/survey-policy.ts refuses it anyway).
  { key: 'crisis', name: 'Crisis response', priority: 100, slaSeconds: 20, csat: false },
] as const;
