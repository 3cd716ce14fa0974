import { z } from 'zod';
import { IDENTITY_KINDS } from '../db/enums.js';
import { E164, E164_HINT } from './patterns.js';

/** `POST /api/inboxes`: the API validates with it and the admin form checks it before sending (no server-only imports). */
export const ZInbox = z
  .object({
    kind: z.enum(IDENTITY_KINDS),
    address: z.string().min(1),
    queue: z.string().min(1),
    flow: z
      .string()
      .regex(/^[a-z0-9_-]+$/i)
      .nullish(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.kind === 'phone' && !E164.test(v.address)) ctx.addIssue({ code: 'custom', path: ['address'], message: E164_HINT });
    if (v.kind === 'email' && !z.email().safeParse(v.address).success)
      ctx.addIssue({ code: 'custom', path: ['address'], message: 'must be an email address' });
  });
