import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Review, ScorecardCriterion } from '../../types.js';

/** A score or an average out of 5, in the desk's language (two decimals at most; "—" when there is none). */
export const scoreText = (n: number | null, lang: string) =>
  n === null ? '—' : new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(n);

/** When a review was made, in the desk's language and the browser's time. */
export const reviewedAt = (iso: string, lang: string) =>
  new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

/** A criterion's name: its label on the current scorecard, else its key (the scorecard changed since). */
export const criterionName = (key: string, criteria: ScorecardCriterion[] | null) => criteria?.find((c) => c.key === key)?.label ?? key;

/** One review: who, when, the average, each criterion's score and the comment. */
export function ReviewItem({
  review,
  criteria,
  heading,
}: {
  review: Review;
  criteria: ScorecardCriterion[] | null;
  /** What the item is about, before who reviewed it (the conversation, on My reviews). */
  heading?: ReactNode;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const order = criteria ? criteria.map((c) => c.key).filter((k) => k in review.scores) : [];
  const keys = [...order, ...Object.keys(review.scores).filter((k) => !order.includes(k))];
  return (
    <li className="review-item" data-testid="review-item">
      <div className="review-head">
        {heading}
        <span className="review-average" data-testid="review-average">
          {t('reviews.averageOf', { average: scoreText(review.average, lang) })}
        </span>
        <span className="muted">
          {t('reviews.by', { name: review.reviewerName ?? t('reviews.someone'), when: reviewedAt(review.createdAt, lang) })}
        </span>
      </div>
      <dl className="review-scores">
        {keys.map((k) => (
          <div key={k}>
            <dt>{criterionName(k, criteria)}</dt>
            <dd>{review.scores[k]}</dd>
          </div>
        ))}
      </dl>
      {review.comment && (
        <p className="review-comment" dir="auto">
          {review.comment}
        </p>
      )}
    </li>
  );
}
