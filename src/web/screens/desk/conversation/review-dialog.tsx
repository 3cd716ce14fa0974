import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { SCORES, ZReviewInput } from '../../../../core/quality/scorecard-schema.js';
import { api } from '../../../api.js';
import { Modal } from '../../../components/modal.js';
import { readableError } from '../../../readable-error.js';
import type { ReviewList, ScorecardCriterion } from '../../../types.js';
import { ReviewItem, scoreText } from '../../reviews/review-bits.js';
import '../../reviews/reviews.css';

/**
 * A supervisor's quality review of a resolved conversation: every scorecard criterion 1–5 (a radio
 * group each, so arrow keys move the score) and a comment; the conversation's earlier reviews below.
 * Loaded on demand: agents never open it.
 */
export function ReviewDialog({ conversationId, number, onClose }: { conversationId: string; number: number; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const [criteria, setCriteria] = useState<ScorecardCriterion[] | null>(null);
  const [list, setList] = useState<ReviewList | null>(null);
  const [scores, setScores] = useState<Record<string, number>>({});
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  const loadList = useCallback(
    () => api.quality.reviews({ conversationId }).then(setList, (err) => setError(readableError(err, t))),
    [conversationId, t],
  );
  useEffect(() => {
    api.quality.scorecard().then(setCriteria, (err) => setError(readableError(err, t)));
    void loadList();
  }, [loadList, t]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!criteria) return;
    setSaved(false);
    const missing = criteria.filter((c) => !scores[c.key]);
    if (missing.length) {
      setError(t('reviews.form.missing', { list: missing.map((c) => c.label).join(', ') }));
      return;
    }
    const body = { scores, ...(comment.trim() ? { comment: comment.trim() } : {}) };
    const checked = ZReviewInput.safeParse(body);
    if (!checked.success) {
      setError(checked.error.issues[0]?.message ?? t('conversation.errors.unknown'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.quality.review(conversationId, body);
      setScores({});
      setComment('');
      setSaved(true);
      await loadList();
    } catch (err) {
      setError(readableError(err, t));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal title={t('reviews.form.title', { number })} onClose={onClose}>
      <div className="review-dialog">
        <form onSubmit={submit} className="stack review-form" aria-label={t('reviews.form.title', { number })}>
          <p className="muted small">{t('reviews.form.scale')}</p>
          {!criteria && !error && <div className="loading">{t('common.loading')}</div>}
          {criteria?.map((c) => (
            <fieldset key={c.key} className="score-group" data-testid="score-group">
              <legend>{c.label}</legend>
              <div className="score-options">
                {SCORES.map((n) => (
                  <label key={n} className="score-option">
                    <input
                      type="radio"
                      name={`score-${c.key}`}
                      value={n}
                      checked={scores[c.key] === n}
                      onChange={() => setScores((s) => ({ ...s, [c.key]: n }))}
                    />
                    <span>{n}</span>
                  </label>
                ))}
              </div>
            </fieldset>
          ))}
          <label>
            {t('reviews.form.comment')}
            <textarea dir="auto" rows={3} maxLength={5000} value={comment} onChange={(e) => setComment(e.target.value)} />
          </label>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <p role="status" className="muted small">
            {saved ? t('reviews.form.saved') : ''}
          </p>
          <div className="modal-actions">
            <button type="button" className="btn" onClick={onClose}>
              {t('common.close')}
            </button>
            <button className="btn btn-primary" disabled={!criteria || busy}>
              {t('reviews.form.submit')}
            </button>
          </div>
        </form>
        <section aria-labelledby="conversation-reviews-title" className="stack">
          <h3 id="conversation-reviews-title">
            {list && list.count > 0
              ? t('reviews.conversationList', { count: list.count, average: scoreText(list.average, i18n.language) })
              : t('reviews.conversationNone')}
          </h3>
          {list && list.reviews.length > 0 && (
            <ul className="review-list" data-testid="conversation-reviews">
              {list.reviews.map((r) => (
                <ReviewItem key={r.id} review={r} criteria={criteria} />
              ))}
            </ul>
          )}
        </section>
      </div>
    </Modal>
  );
}
