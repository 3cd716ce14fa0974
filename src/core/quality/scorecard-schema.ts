import { z } from 'zod';

// The scorecard and a review's input as the API validates them and the desk's forms check them
// before sending: no server-only imports here, so the desk's bundle can take this file.

const ZKey = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'a lower-case letter first, then lower-case letters, digits, _ and -, at most 40');

export const ZCriterion = z.object({ key: ZKey, label: z.string().trim().min(1).max(200) }).strict();

/** The criteria in the order reviewers see them. */
export const ZScorecard = z
  .object({
    criteria: z
      .array(ZCriterion)
      .min(1)
      .max(20)
      .refine((c) => new Set(c.map((x) => x.key)).size === c.length, 'criteria keys must be unique'),
  })
  .strict();

export const ZReviewInput = z
  .object({
    scores: z.record(z.string(), z.number().int().min(1).max(5)),
    comment: z.string().trim().max(5000).optional(),
  })
  .strict();

/** A score from 1 (poor) to 5 (excellent). */
export const SCORES = [1, 2, 3, 4, 5] as const;
