import { z } from 'zod';
import { CHANNELS, LANGUAGES, ROLES } from '../../db/enums.js';

// The API validates agents with these and the admin form checks the same before sending: no
// server-only imports here, so the desk's bundle can take this file.

export const ZQueueMembership = z.union([
  z.string().min(1),
  z.object({ queue: z.string().min(1), level: z.number().int().min(1).max(5).default(3) }),
]);

export const ZCapacity = z
  .object(
    Object.fromEntries(CHANNELS.map((c) => [c, z.number().int().min(0).max(100).optional()])) as Record<
      (typeof CHANNELS)[number],
      z.ZodOptional<z.ZodNumber>
    >,
  )
  .strict();

export const ZCreateAgent = z
  .object({
    // local@host: intranet hosts (the contract's admin@localhost) are fine for logins.
    email: z
      .string()
      .trim()
      .regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address')
      .max(320),
    name: z.string().min(1).max(200),
    /** Extension: optional; without one the agent gets a one-time set-password link (invites.ts). */
    password: z.string().min(8, 'password must be at least 8 characters').max(1000).optional(),
    role: z.enum(ROLES).default('agent'),
    queues: z.array(ZQueueMembership).default([]),
    capacity: ZCapacity.optional(),
    /** Extension: the desk's language for this agent. */
    language: z.enum(LANGUAGES).default('en'),
    /** Extension: the agent must choose its own password at first sign-in (an admin handed this one over). */
    mustChangePassword: z.boolean().default(false),
  })
  .strict();
export type CreateAgent = z.input<typeof ZCreateAgent>;

// Built without the create defaults: with `.partial()` zod would still fill `role: 'agent'` and
// `queues: []`, so a PATCH of the name alone would demote an admin and empty their queues.
export const ZUpdateAgent = z
  .object({
    email: ZCreateAgent.shape.email,
    name: ZCreateAgent.shape.name,
    password: ZCreateAgent.shape.password.unwrap(),
    role: z.enum(ROLES),
    queues: z.array(ZQueueMembership),
    capacity: ZCapacity,
    language: z.enum(LANGUAGES),
    /** true with a reset `password`: the agent picks its own at next sign-in. */
    mustChangePassword: z.boolean(),
    /** false deactivates (tokens refused, sockets closed), true restores: see deactivate-agent.ts. */
    active: z.boolean(),
  })
  .partial()
  .strict();
export type UpdateAgent = z.input<typeof ZUpdateAgent>;
