import { z } from 'zod';
import { LANGUAGES } from '../../db/enums.js';

// Shared content as the API validates it and the admin forms check it before sending: no
// server-only imports here, so the desk's bundle can take this file.

/** The one schema for a canned response: the API validates with it and the admin form shows its messages. */
export const ZCannedResponse = z
  .object({
    title: z.string().trim().min(1, 'title: required').max(200),
    body: z.string().trim().min(1, 'body: required').max(5000),
    /** null (or absent) = every queue. */
    queue: z.string().min(1).max(40).nullish(),
    /** null (or absent) = any contact; otherwise the variant for contacts of that language. */
    language: z.enum(LANGUAGES).nullish(),
  })
  .strict();
export const ZUpdateCannedResponse = ZCannedResponse.partial().strict();

/** The one schema for a resolution code: the API validates with it and the admin form shows its messages. */
export const ZDisposition = z
  .object({
    code: z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'code: lower-case letters, digits, _ . and -, at most 64'),
    label: z.string().trim().min(1, 'label: required').max(200),
    /** null (or absent) = every queue. */
    queue: z.string().min(1).max(40).nullish(),
  })
  .strict();
/** `archived: false` brings an archived code back. */
export const ZUpdateDisposition = ZDisposition.extend({ archived: z.boolean() }).partial().strict();
