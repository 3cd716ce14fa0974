import { and, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../../db/client.js';
import { agents, conversations, qualityReviews, qualityScorecard, type ScorecardCriterion } from '../../db/schema.js';
import { isSupervisor, type Actor } from '../agents/actor.js';
import { rooms, type RealtimePublisher } from '../ports.js';
import { AppError, forbidden, notFound } from '../errors.js';
import { ZReviewInput, ZScorecard } from './scorecard-schema.js';

export { ZReviewInput, ZScorecard };

/** Used until an admin sets the scorecard. */
export const DEFAULT_CRITERIA: ScorecardCriterion[] = [
  { key: 'greeting', label: 'Greeting and tone' },
  { key: 'accuracy', label: 'Accurate information' },
  { key: 'empathy', label: 'Empathy' },
  { key: 'resolution', label: 'Resolved or set clear next steps' },
  { key: 'process', label: 'Followed procedure (notes, disposition, privacy)' },
];

export async function getScorecard(db: DbOrTx): Promise<ScorecardCriterion[]> {
  const [row] = await db.select().from(qualityScorecard);
  return row?.criteria ?? DEFAULT_CRITERIA;
}

/** Replaces the criteria; earlier reviews keep the scores they were given. */
export async function setScorecard(db: DbOrTx, criteria: ScorecardCriterion[]) {
  await db
    .insert(qualityScorecard)
    .values({ id: 1, criteria })
    .onConflictDoUpdate({ target: qualityScorecard.id, set: { criteria, updatedAt: sql`now()` } });
  return criteria;
}

/** A supervisor scores a resolved conversation against the current scorecard: every criterion, 1–5 each. */
export async function createReview(db: DbOrTx, actor: Actor, conversationId: string, input: z.output<typeof ZReviewInput>) {
  if (!isSupervisor(actor)) throw forbidden('only supervisors review conversations');
  const [c] = await db.select().from(conversations).where(eq(conversations.id, conversationId));
  if (!c) throw notFound('conversation');
  if (c.status !== 'resolved') throw new AppError('conflict', 'only a resolved conversation can be reviewed');
  if (!c.assigneeId) throw new AppError('conflict', 'no agent handled this conversation');
  const criteria = await getScorecard(db);
  const keys = criteria.map((k) => k.key);
  const unknown = Object.keys(input.scores).filter((k) => !keys.includes(k));
  if (unknown.length) throw new AppError('bad_request', `scores: unknown criterion ${unknown.join(', ')}`, { field: 'scores' });
  const missing = keys.filter((k) => input.scores[k] === undefined);
  if (missing.length) throw new AppError('bad_request', `scores: missing ${missing.join(', ')}`, { field: 'scores' });
  const values = keys.map((k) => input.scores[k]);
  const average = Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100;
  const [row] = await db
    .insert(qualityReviews)
    .values({ conversationId, agentId: c.assigneeId, reviewerId: actor.id, scores: input.scores, average, comment: input.comment || null })
    .returning();
  return toPublicReview({ ...row, number: c.number, reviewerName: null });
}

/** A review as the API answers it and `review.created` carries it. */
export type PublicReview = {
  id: string;
  conversationId: string;
  number: number;
  /** null once that agent was deleted. */
  agentId: string | null;
  reviewerId: string | null;
  reviewerName: string | null;
  scores: Record<string, number>;
  average: number;
  comment: string | null;
  createdAt: string;
};

type ReviewRow = typeof qualityReviews.$inferSelect & { number: number; reviewerName: string | null };

const toPublicReview = (r: ReviewRow): PublicReview => ({
  id: r.id,
  conversationId: r.conversationId,
  number: r.number,
  agentId: r.agentId,
  reviewerId: r.reviewerId,
  reviewerName: r.reviewerName,
  scores: r.scores,
  average: r.average,
  comment: r.comment,
  createdAt: r.createdAt.toISOString(),
});

export const ZReviewQuery = z.object({
  agentId: z.string().uuid().optional(),
  conversationId: z.string().uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/**
 * Reviews, newest first, with the averages over all of them (not only the page). Supervisors read
 * anyone's; an agent reads only its own (asking for another agent's is 403).
 */
export async function listReviews(db: DbOrTx, actor: Actor, q: z.output<typeof ZReviewQuery>) {
  let agentId = q.agentId;
  if (!isSupervisor(actor)) {
    if (agentId && agentId !== actor.id) throw forbidden('agents see only their own reviews');
    agentId = actor.id;
  }
  const where = and(
    agentId ? eq(qualityReviews.agentId, agentId) : undefined,
    q.conversationId ? eq(qualityReviews.conversationId, q.conversationId) : undefined,
  );
  const rows = await db
    .select({ review: qualityReviews, number: conversations.number, reviewerName: agents.name })
    .from(qualityReviews)
    .innerJoin(conversations, eq(conversations.id, qualityReviews.conversationId))
    .leftJoin(agents, eq(agents.id, qualityReviews.reviewerId))
    .where(where)
    .orderBy(desc(qualityReviews.createdAt))
    .limit(q.limit);
  const [totals] = (await db.execute(sql`
    select count(*)::int as count, round(avg(average)::numeric, 2)::float8 as average
    from quality_reviews r
    where ${agentId ? sql`r.agent_id = ${agentId}` : sql`true`}
      and ${q.conversationId ? sql`r.conversation_id = ${q.conversationId}` : sql`true`}
  `)) as unknown as { count: number; average: number | null }[];
  const perCriterion = (await db.execute(sql`
    select s.key, round(avg(s.value::int)::numeric, 2)::float8 as average
    from quality_reviews r, jsonb_each_text(r.scores) s
    where ${agentId ? sql`r.agent_id = ${agentId}` : sql`true`}
      and ${q.conversationId ? sql`r.conversation_id = ${q.conversationId}` : sql`true`}
    group by s.key order by s.key
  `)) as unknown as { key: string; average: number }[];
  return {
    reviews: rows.map((r) => toPublicReview({ ...r.review, number: r.number, reviewerName: r.reviewerName })),
    count: totals?.count ?? 0,
    average: totals?.average ?? null,
    criteria: Object.fromEntries(perCriterion.map((c) => [c.key, c.average])),
  };
}

/** The reviewed agent hears of a new review at once (its desk shows a notice and refreshes My reviews). */
export function notifyReviewed(realtime: RealtimePublisher, review: PublicReview) {
  if (review.agentId) realtime.publish([rooms.agent(review.agentId)], 'review.created', { review });
}
