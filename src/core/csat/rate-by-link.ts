import { eq } from 'drizzle-orm';
import { contacts, conversations, csatSurveys, type Language } from '../../db/schema.js';
import type { Deps } from '../ports.js';
import { checkRatingToken } from './rating-link.js';
import { recordCsatAnswer } from './record-answer.js';

/**
 * What the public rating page shows for a link: the form (`open`), or why not. `forged` and
 * `malformed` say nothing about any conversation; the others name its number only.
 */
export type RatingPageState =
  | { state: 'open' | 'answered' | 'expired' | 'thanks'; number: number; language: Language | null; score: number | null }
  | { state: 'forged' | 'malformed' | 'unknown' };

/** Reads an email survey's link (rating-link.ts) against its survey row. */
export async function ratingPageState(deps: Deps, token: string): Promise<RatingPageState> {
  const check = checkRatingToken(deps.config, token);
  if (!check.ok && check.reason !== 'expired') return { state: check.reason };
  const conversationId = check.ok ? check.conversationId : token.split('.')[0];
  const [row] = await deps.db
    .select({ survey: csatSurveys, number: conversations.number, language: contacts.language })
    .from(csatSurveys)
    .innerJoin(conversations, eq(conversations.id, csatSurveys.conversationId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(eq(csatSurveys.conversationId, conversationId));
  if (!row || row.survey.channel !== 'email') return { state: 'unknown' };
  const base = { number: row.number, language: row.language, score: row.survey.score };
  if (row.survey.answeredAt) return { state: 'answered', ...base };
  if (!check.ok || row.survey.expiresAt.getTime() <= Date.now()) return { state: 'expired', ...base };
  return { state: 'open', ...base };
}

/** The page's form: one answer per survey, while the link is good. `thanks` when this answer counted. */
export async function rateByLink(deps: Deps, token: string, input: { score: number; comment?: string | null }): Promise<RatingPageState> {
  const before = await ratingPageState(deps, token);
  if (before.state !== 'open') return before;
  const conversationId = token.split('.')[0];
  const outcome = await recordCsatAnswer(deps, { conversationId, ...input });
  // Lost a race with another submission (or the expiry): the page says what happened instead.
  if (outcome.status !== 'recorded') return ratingPageState(deps, token);
  return { ...before, state: 'thanks', score: outcome.survey.score };
}
