import { and, eq, isNull } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client.js';
import { conversationAddress } from '../../db/queries/contacts.js';
import { getQueue } from '../../db/queries/queues.js';
import { contacts, conversations, csatSurveys, type ConversationRow, type CsatSurveyRow, type Language } from '../../db/schema.js';
import { metaOf } from '../calls/call-meta.js';
import type { Deps } from '../ports.js';
import { recordCsatAnswer } from './record-answer.js';
import { callSurveyRefusal, callSurveyStep, SURVEY_TTL_SECONDS, type CallSurveyStep } from './survey-policy.js';

/**
 * The post-call IVR survey ("press 1 to 5"). When the agent who held a call leaves it and the
 * caller is still on the line, `openCallSurveyInTx` decides (inside the status callback's
 * transaction) whether the caller is asked; the voice channel then moves the live call to the
 * survey instead of hanging it up. The survey row is keyed by conversation like every survey:
 * a call handed from agent to agent, or a redelivered status callback, asks once at most.
 */
export async function openCallSurveyInTx(tx: Tx, c: ConversationRow, agentId: string): Promise<CsatSurveyRow | null> {
  const meta = metaOf(c);
  if (c.channel !== 'voice' || !meta.callSid || meta.endedAt) return null;
  if (callSurveyRefusal(c, await getQueue(tx, c.queueKey))) return null;
  const address = await conversationAddress(tx, c);
  // A number that texted STOP asked us to leave it alone: no "rate us" on the phone either.
  if (address?.optedOutAt) return null;
  const [survey] = await tx
    .insert(csatSurveys)
    .values({
      conversationId: c.id,
      channel: 'voice',
      contactIdentityId: address?.id ?? null,
      agentId,
      expiresAt: new Date(Date.now() + SURVEY_TTL_SECONDS.voice * 1000),
    })
    .onConflictDoNothing()
    .returning();
  return survey ?? null;
}

/** The caller could not be moved to the survey (gone already): no survey went out, so none is counted. */
export async function dropCallSurvey(db: DbOrTx, conversationId: string): Promise<void> {
  await db
    .delete(csatSurveys)
    .where(and(eq(csatSurveys.conversationId, conversationId), eq(csatSurveys.channel, 'voice'), isNull(csatSurveys.answeredAt)));
}

/**
 * The survey a survey webhook is about, with the caller's language: the contact's stored language
 * (the IVR choice is kept there), else the call's, else English. Null when that conversation has no
 * phone survey or the webhook's call is not its caller's (a survey URL replayed on another call).
 */
export async function findCallSurvey(
  db: DbOrTx,
  conversationId: string,
  callSid: string,
): Promise<{ survey: CsatSurveyRow; language: Language; flow?: string } | null> {
  const [row] = await db
    .select({ survey: csatSurveys, conversation: conversations, language: contacts.language })
    .from(csatSurveys)
    .innerJoin(conversations, eq(conversations.id, csatSurveys.conversationId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(and(eq(csatSurveys.conversationId, conversationId), eq(csatSurveys.channel, 'voice')));
  if (!row || metaOf(row.conversation).callSid !== callSid) return null;
  const meta = metaOf(row.conversation);
  return { survey: row.survey, language: row.language ?? meta.lang ?? 'en', flow: meta.flow };
}

/** What the caller hears next, in their language (and the voices of the flow they came through). */
export type CallSurveyOutcome = { step: CallSurveyStep; language: Language; flow?: string };

/**
 * A key pressed (or silence) at the survey. A score 1–5 is recorded through the same path as every
 * survey answer (`csat.received`, and `csat.low` for 1–2); Twilio retrying the webhook with the same
 * digits, or a second key, finds the survey answered and hears the thanks again, counted once.
 * Anything else: asked once more, then goodbye (survey-policy.ts `callSurveyStep`).
 */
export async function answerCallSurvey(
  deps: Deps,
  input: { conversationId: string; callSid: string; digits: string; tries: number },
): Promise<CallSurveyOutcome> {
  const found = await findCallSurvey(deps.db, input.conversationId, input.callSid);
  if (!found) return { step: { kind: 'goodbye' }, language: 'en' };
  const step = callSurveyStep(input.digits, input.tries);
  if (step.kind !== 'score') return { step, language: found.language, flow: found.flow };
  const outcome = await recordCsatAnswer(deps, { conversationId: input.conversationId, score: step.score });
  if (outcome.status === 'recorded') deps.log.info({ conversationId: input.conversationId, score: step.score }, 'phone survey answered');
  // Past its time (a caller who kept the line open for minutes): thanked all the same, nothing stored.
  return { step, language: found.language, flow: found.flow };
}
