import { and, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../../db/client.js';
import { agents, contactIdentities, contacts, conversations, csatSurveys, type CsatSurveyRow, type IdentityKind } from '../../db/schema.js';
import { contactText } from '../contact-texts.js';
import { audienceOf } from '../conversations/publish.js';
import { rooms, type CsatAlert, type Deps, type PublicCsat } from '../ports.js';
import { parseCsatAnswer } from './parse-answer.js';
import { LOW_SCORE, MAX_COMMENT_LENGTH } from './survey-policy.js';

export type CsatAnswer = {
  conversationId: string;
  score: number;
  comment?: string | null;
  /** Who answered, when the channel says (a Slack user): it must be the address that was asked. */
  answeredBy?: { kind: IdentityKind; value: string };
};

export type AnswerOutcome =
  | { status: 'recorded'; survey: CsatSurveyRow }
  /** Answered before: the first answer stands (a link works once, a button click counts once). */
  | { status: 'answered'; survey: CsatSurveyRow }
  | { status: 'expired'; survey: CsatSurveyRow }
  | { status: 'none' };

export function toPublicCsat(s: CsatSurveyRow): PublicCsat {
  return {
    score: s.score,
    comment: s.comment,
    channel: s.channel,
    at: s.answeredAt?.toISOString() ?? null,
    sentAt: s.sentAt.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
  };
}

/** The conversation's survey as agents see it, or null when none was sent. */
export async function conversationCsat(db: DbOrTx, conversationId: string): Promise<PublicCsat | null> {
  const [s] = await db.select().from(csatSurveys).where(eq(csatSurveys.conversationId, conversationId));
  return s ? toPublicCsat(s) : null;
}

/**
 * Stores a score (and comment) on the conversation's survey: once, and only while it is open.
 * The single guarded UPDATE is the whole decision, so a retried delivery (Slack retrying an
 * action, a double-submitted form, two keypad presses) never counts twice.
 */
export async function recordAnswerInTx(tx: DbOrTx, input: CsatAnswer): Promise<AnswerOutcome> {
  const comment = input.comment?.trim().slice(0, MAX_COMMENT_LENGTH) || null;
  const askedThem = input.answeredBy
    ? inArray(
        csatSurveys.contactIdentityId,
        tx
          .select({ id: contactIdentities.id })
          .from(contactIdentities)
          .where(and(eq(contactIdentities.kind, input.answeredBy.kind), eq(contactIdentities.value, input.answeredBy.value))),
      )
    : undefined;
  const [survey] = await tx
    .update(csatSurveys)
    .set({ score: input.score, comment, answeredAt: sql`now()` })
    .where(
      and(
        eq(csatSurveys.conversationId, input.conversationId),
        isNull(csatSurveys.answeredAt),
        gt(csatSurveys.expiresAt, sql`now()`),
        askedThem,
      ),
    )
    .returning();
  if (survey) return { status: 'recorded', survey };
  const [existing] = await tx
    .select()
    .from(csatSurveys)
    .where(and(eq(csatSurveys.conversationId, input.conversationId), askedThem));
  // Someone else's survey (a Slack button clicked by another member of the channel) is none of theirs.
  if (!existing) return { status: 'none' };
  return { status: existing.answeredAt ? 'answered' : 'expired', survey: existing };
}

/** `recordAnswerInTx` on its own, then the pushes for a new answer. */
export async function recordCsatAnswer(deps: Deps, input: CsatAnswer): Promise<AnswerOutcome> {
  const outcome = await recordAnswerInTx(deps.db, input);
  if (outcome.status === 'recorded') await publishCsatAnswer(deps, outcome.survey);
  return outcome;
}

/**
 * An SMS from a survey's number, with no open conversation of its own: when it is nothing but a
 * score (parse-answer.ts) and that number's latest survey still waits, it is the answer. Inside
 * the ingest transaction, so the message is stored on the surveyed conversation and opens none.
 */
export async function takeSmsAnswerInTx(tx: Tx, identityId: string, text: string): Promise<CsatSurveyRow | null> {
  const score = parseCsatAnswer(text);
  if (score === null) return null;
  const [open] = await tx
    .select({ conversationId: csatSurveys.conversationId })
    .from(csatSurveys)
    .where(
      and(
        eq(csatSurveys.contactIdentityId, identityId),
        eq(csatSurveys.channel, 'sms'),
        isNull(csatSurveys.answeredAt),
        gt(csatSurveys.expiresAt, sql`now()`),
      ),
    )
    .orderBy(desc(csatSurveys.sentAt))
    .limit(1);
  if (!open) return null;
  const outcome = await recordAnswerInTx(tx, { conversationId: open.conversationId, score });
  return outcome.status === 'recorded' ? outcome.survey : null;
}

/** After commit: the conversation's audience sees the score; a low one alerts the queue's supervisors (and admins). */
export async function publishCsatAnswer(deps: Deps, survey: CsatSurveyRow): Promise<void> {
  if (survey.score === null || !survey.answeredAt) return;
  const [row] = await deps.db
    .select({ c: conversations, agentName: agents.name })
    .from(conversations)
    .leftJoin(agents, survey.agentId ? eq(agents.id, survey.agentId) : sql`false`)
    .where(eq(conversations.id, survey.conversationId));
  if (!row) return;
  const c = row.c;
  const alert: CsatAlert = {
    conversationId: c.id,
    number: c.number,
    queue: c.queueKey,
    agentId: survey.agentId,
    agentName: row.agentName ?? null,
    csat: { ...toPublicCsat(survey), score: survey.score, at: survey.answeredAt.toISOString() },
  };
  deps.realtime.publish(audienceOf(c), 'csat.received', alert);
  if (survey.score <= LOW_SCORE) {
    deps.realtime.publish([rooms.queueSupervisors(c.queueKey), rooms.admins], 'csat.low', alert);
    deps.log.info({ conversationId: c.id, queue: c.queueKey, score: survey.score }, 'low satisfaction score');
  }
}

/** "Thank you! You rated us 4 out of 5." in the contact's language (the rating page, Slack's answered survey). */
export async function csatThanks(db: DbOrTx, conversationId: string, score: number): Promise<string> {
  const [row] = await db
    .select({ language: contacts.language })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(eq(conversations.id, conversationId));
  return contactText('csat.thanks', row?.language, { score });
}
