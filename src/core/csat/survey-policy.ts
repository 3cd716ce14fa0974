import type { Channel, ConversationRow, QueueRow } from '../../db/schema.js';
import { CRISIS_QUEUE } from '../crisis/flag-risk.js';

/**
 * How long each survey waits for its answer. SMS: the "next 1–5 reply within 24 h";
 * the email link and Slack buttons a week (people read mail late); a call's survey only while
 * the caller is still on the line.
 */
export const SURVEY_TTL_SECONDS: Record<Channel, number> = {
  sms: 24 * 3600,
  email: 7 * 24 * 3600,
  slack: 7 * 24 * 3600,
  voice: 5 * 60,
};

/** Scores at or below this alert the queue's supervisors (`csat.low`). */
export const LOW_SCORE = 2;

/** Longest comment kept from the rating page. */
export const MAX_COMMENT_LENGTH = 2000;

/** Why no survey goes out for this conversation, or null when one should. */
export type SurveyRefusal = 'queue-off' | 'crisis' | 'risk' | 'no-agent' | 'call';

/**
 * Whether a resolved text conversation gets a survey. Never to someone who may be at risk (the
 * crisis queue, or any conversation the crisis matcher flagged): a "rate us" after a crisis is
 * cruel. Never for work nobody handled (no agent to rate). Calls have their own, post-call survey
 * (`callSurveyRefusal`). Opted-out numbers are refused where the message is queued.
 */
export function surveyRefusal(
  conversation: Pick<ConversationRow, 'channel' | 'queueKey' | 'risk' | 'assigneeId'>,
  queue: Pick<QueueRow, 'csat'> | undefined,
): SurveyRefusal | null {
  if (conversation.channel === 'voice') return 'call';
  return commonRefusal(conversation) ?? (queue?.csat ? null : 'queue-off');
}

/** The same for the post-call IVR survey: the queue's `csatVoice`, and a call an agent took. */
export function callSurveyRefusal(
  conversation: Pick<ConversationRow, 'queueKey' | 'risk' | 'assigneeId'>,
  queue: Pick<QueueRow, 'csatVoice'> | undefined,
): SurveyRefusal | null {
  return commonRefusal(conversation) ?? (queue?.csatVoice ? null : 'queue-off');
}

function commonRefusal(c: Pick<ConversationRow, 'queueKey' | 'risk' | 'assigneeId'>): SurveyRefusal | null {
  if (c.queueKey === CRISIS_QUEUE) return 'crisis';
  if (c.risk) return 'risk';
  if (!c.assigneeId) return 'no-agent';
  return null;
}

/** A score as a contact may send it: a whole number 1–5 (a button's value, a form field, a keypad digit), or null. */
export function readScore(value: unknown): number | null {
  const s = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  return /^[1-5]$/.test(s) ? Number(s) : null;
}

/** How many times the phone survey asks: the question, then once more after a wrong key or silence. */
export const CALL_SURVEY_TRIES = 2;

/** What the phone survey does with a key pressed (or silence) at its `tries`-th asking (0 = first). */
export type CallSurveyStep = { kind: 'score'; score: number } | { kind: 'ask-again'; tries: number } | { kind: 'goodbye' };

/** A keypad answer: 1–5 is the score; anything else is asked again once, then a polite goodbye. */
export function callSurveyStep(digits: string | undefined, tries: number): CallSurveyStep {
  const score = readScore(digits ?? '');
  if (score !== null) return { kind: 'score', score };
  return tries + 1 < CALL_SURVEY_TRIES ? { kind: 'ask-again', tries: tries + 1 } : { kind: 'goodbye' };
}
