import { z } from 'zod';

/** One tag: letters, digits, spaces, `-`, `_`, `.`, `:` and `/`; stored lower case and trimmed. */
export const ZTag = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'a tag must not be empty')
  .max(50, 'a tag is at most 50 characters')
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _\-.:/]*$/u, 'a tag holds letters, digits, spaces and - _ . : /');

/** A conversation's whole set of tags (replaces the previous set); duplicates collapse, order is kept. */
export const ZTags = z
  .array(ZTag)
  .max(30, 'at most 30 tags')
  .transform((tags) => [...new Set(tags)]);
