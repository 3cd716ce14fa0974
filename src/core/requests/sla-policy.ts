import { z } from 'zod';

// No server-only imports: the queue admin form checks SLA targets with this before sending.

const ZTarget = z
  .number()
  .int()
  .min(1)
  .max(365 * 24 * 3600);

/** `PATCH /api/queues/:key {sla}`; null removes the policy. */
export const ZSlaPolicy = z
  .object({ firstResponseSeconds: ZTarget, nextResponseSeconds: ZTarget.nullable().optional(), resolutionSeconds: ZTarget })
  .strict()
  .nullable();
