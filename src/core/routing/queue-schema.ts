import { z } from 'zod';
import { CALLBACK_ORDERS } from '../../db/enums.js';
import { ZBusinessHours } from '../business-hours.js';
import { ZAutoReply } from '../requests/auto-reply.js';
import { ZSlaPolicy } from '../requests/sla-policy.js';

// A queue as the API validates it and the admin form checks it before sending: no server-only
// imports here, so the desk's bundle can take this file.

export const ZEscalationStep = z
  .object({
    afterSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600),
    addQueues: z.array(z.string().min(1)).optional(),
    raisePriority: z.number().int().min(1).max(1000).optional(),
    notifySupervisors: z.boolean().optional(),
  })
  .strict()
  .refine(
    (s) => (s.addQueues?.length ?? 0) > 0 || s.raisePriority !== undefined || s.notifySupervisors,
    'a step must do something: addQueues, raisePriority or notifySupervisors',
  );

const fields = {
  name: z.string().trim().min(1).max(200),
  priority: z.number().int().min(0).max(10_000),
  slaSeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600),
  maxWaitSeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 3600),
  businessHours: ZBusinessHours.nullable(),
  escalation: z.array(ZEscalationStep).max(20),
  emailFrom: z.email().nullable(),
  /** Pending conversations with no answer from the contact for this long are resolved; null = never. */
  autoResolvePendingSeconds: z
    .number()
    .int()
    .min(1)
    .max(365 * 24 * 3600)
    .nullable(),
  /** Request SLA targets (src/core/requests/sla.ts); null = none. */
  sla: ZSlaPolicy,
  /** Acknowledgement and after-hours texts on new text conversations (src/core/requests/auto-reply.ts); null = none. */
  autoReply: ZAutoReply,
  /** Satisfaction survey after resolution on SMS, email and Slack (src/core/csat). */
  csat: z.boolean(),
  /** Post-call "press 1 to 5" survey for callers who talked to an agent (stored; not built yet). */
  csatVoice: z.boolean(),
  /** Callbacks and voicemails behind live callers of the same priority (default), in arrival order, or first. */
  callbackOrder: z.enum(CALLBACK_ORDERS),
};

export const ZCreateQueue = z
  .object({
    key: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, _ and -, at most 40'),
    ...fields,
    priority: fields.priority.default(0),
    slaSeconds: fields.slaSeconds.default(60),
    maxWaitSeconds: fields.maxWaitSeconds.default(600),
    businessHours: fields.businessHours.default(null),
    escalation: fields.escalation.default([]),
    emailFrom: fields.emailFrom.default(null),
    autoResolvePendingSeconds: fields.autoResolvePendingSeconds.default(7 * 24 * 3600),
    sla: fields.sla.default(null),
    autoReply: fields.autoReply.default(null),
    csat: fields.csat.default(true),
    csatVoice: fields.csatVoice.default(false),
    callbackOrder: fields.callbackOrder.default('afterLive'),
  })
  .strict();
export type CreateQueue = z.input<typeof ZCreateQueue>;

export const ZUpdateQueue = z.object(fields).partial().strict();
export type UpdateQueue = z.input<typeof ZUpdateQueue>;
