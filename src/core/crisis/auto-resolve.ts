import { isNull } from 'drizzle-orm';
import { conversations, type ConversationRow } from '../../db/schema.js';

/**
 * Automatic closings (an incident's resolution, an inactivity rule, …) skip risk-flagged
 * conversations: a person closes those, with a note saying what was done.
 */
export const mayAutoResolve = (c: Pick<ConversationRow, 'risk'>): boolean => c.risk == null;

/** `mayAutoResolve` as a SQL condition, for bulk closings. */
export const autoResolvable = () => isNull(conversations.risk);
