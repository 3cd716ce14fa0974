import { z } from 'zod';
import { E164 } from '../../core/patterns.js';
import { LANGS } from '../../ivr/flow-schema.js';

const ZCallSid = z.string().regex(/^CA[0-9a-fA-F]{32}$/, 'CallSid must be a Twilio call sid');

/** Fields Twilio posts on every voice webhook (form-encoded); extra fields pass through. */
export const ZCallWebhook = z
  .object({
    CallSid: ZCallSid,
    AccountSid: z.string().optional(),
    From: z.string().default(''),
    To: z.string().default(''),
    CallStatus: z.string().optional(),
    Digits: z.string().optional(),
    SpeechResult: z.string().optional(),
  })
  .passthrough();
export type CallWebhook = z.output<typeof ZCallWebhook>;

/** Where a call is in its flow: carried in continuation URLs' query strings. */
export const ZFlowState = z.object({
  flow: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/)
    .default('main'),
  node: z.string().regex(/^[A-Za-z0-9_-]+$/),
  lang: z.enum(LANGS).default('en'),
  /** `1`: the caller chose `lang` themselves (kept on their contact). */
  chose: z.literal('1').optional(),
  try: z.coerce.number().int().min(0).max(10).default(0),
  /** `queue`: a waiting caller chose voicemail/callback from the hold loop. */
  mode: z.enum(['queue']).optional(),
  /** A callback number waiting for the caller's confirmation (signed with the rest of the URL). */
  number: z.string().regex(E164).optional(),
});
export type FlowStateQuery = z.output<typeof ZFlowState>;

export const ZRecording = z
  .object({
    RecordingSid: z.string().regex(/^RE[0-9a-fA-F]{32}$/, 'RecordingSid must be a Twilio recording sid'),
    RecordingUrl: z.url(),
    RecordingDuration: z.coerce.number().int().min(0).default(0),
    RecordingStatus: z.string().optional(),
    CallSid: z.string().optional(),
  })
  .passthrough();

export const ZTranscription = z
  .object({
    TranscriptionSid: z.string().min(1),
    TranscriptionText: z.string().default(''),
    TranscriptionStatus: z.string().default('completed'),
    RecordingSid: z.string().min(1),
    CallSid: z.string().optional(),
  })
  .passthrough();

export const ZStatusQuery = z.object({
  leg: z.enum(['caller', 'agent', 'outbound']).default('caller'),
  conversationId: z.string().uuid().optional(),
  agentId: z.string().uuid().optional(),
});

/** The post-call survey's continuation: the surveyed conversation and how many times it asked. */
export const ZSurveyQuery = z.object({
  conversationId: z.string().uuid(),
  try: z.coerce.number().int().min(0).max(10).default(0),
});
