import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import type { EventBus } from '../../events.js';
import { readableError } from '../../readable-error.js';
import type { Agent, DirectoryAgent, ReviewList, ScorecardCriterion } from '../../types.js';
import { criterionName, ReviewItem, scoreText } from './review-bits.js';
import './reviews.css';

/**
 * `/reviews`: quality reviews, newest first, with the average overall and per criterion. An agent
 * sees its own ("My reviews"); supervisors and admins see everyone's or pick one agent. A new
 * review of this agent (`review.created`) shows without a reload.
 */
export function ReviewsScreen({ me, bus, onOpenConversation }: { me: Agent; bus: EventBus; onOpenConversation: (id: string) => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const supervisor = me.role !== 'agent';
  const [agentId, setAgentId] = useState('');
  const [agents, setAgents] = useState<DirectoryAgent[]>([]);
  const [criteria, setCriteria] = useState<ScorecardCriterion[] | null>(null);
  const [list, setList] = useState<ReviewList | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.quality.scorecard().then(setCriteria, () => setCriteria([]));
    if (supervisor) api.directory().then(setAgents, () => {});
  }, [supervisor]);

  const load = useCallback(() => {
    api.quality.reviews({ agentId: supervisor ? agentId || undefined : undefined }).then(
      (r) => {
        setList(r);
        setError(null);
      },
      (err) => setError(readableError(err, t)),
    );
  }, [supervisor, agentId, t]);
  useEffect(load, [load]);
  useEffect(() => bus.subscribe('review.created', load), [bus, load]);

  const agentName = (id: string | null) => agents.find((a) => a.id === id)?.name ?? null;
  // Criteria of the current scorecard first, in its order; keys only earlier reviews carry after them.
  const keys = list
    ? [...(criteria ?? []).map((c) => c.key), ...Object.keys(list.criteria).filter((k) => !criteria?.some((c) => c.key === k))]
    : [];
  const title = supervisor ? t('reviews.title') : t('reviews.mine');

  return (
    <main className="page-column reviews-page" aria-labelledby="reviews-title">
      <div className="reviews-head">
        <h1 id="reviews-title">{title}</h1>
        {supervisor && (
          <div className="reviews-field">
            <label htmlFor="reviews-agent">{t('reviews.agent')}</label>
            <select id="reviews-agent" value={agentId} onChange={(e) => setAgentId(e.target.value)}>
              <option value="">{t('reviews.everyAgent')}</option>
              {agents.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <section className="kpis reviews-kpis" aria-label={t('reviews.averages')} aria-busy={!list} data-testid="review-averages">
        <div className="kpi">
          <div className="kpi-label">{t('reviews.overall')}</div>
          <div className="kpi-value" data-testid="reviews-overall">
            {scoreText(list?.average ?? null, lang)}
          </div>
          <div className="kpi-sub">{t('reviews.count', { count: list?.count ?? 0 })}</div>
        </div>
        {keys.map((k) => (
          <div className="kpi" key={k} data-testid={`criterion-${k}`}>
            <div className="kpi-label">{criterionName(k, criteria)}</div>
            <div className="kpi-value">{scoreText(list?.criteria[k] ?? null, lang)}</div>
          </div>
        ))}
      </section>
      <section className="card" aria-labelledby="reviews-list-title">
        <h2 className="card-title" id="reviews-list-title">
          {t('reviews.listTitle')}
        </h2>
        {list && list.reviews.length === 0 && <p className="muted">{supervisor ? t('reviews.noneYet') : t('reviews.noneMine')}</p>}
        {list && list.reviews.length > 0 && (
          <ul className="review-list" data-testid="review-list">
            {list.reviews.map((r) => (
              <ReviewItem
                key={r.id}
                review={r}
                criteria={criteria}
                heading={
                  <>
                    <button type="button" className="link-btn" onClick={() => onOpenConversation(r.conversationId)}>
                      {t('reviews.conversation', { number: r.number })}
                    </button>
                    {supervisor && !agentId && agentName(r.agentId) && <strong>{agentName(r.agentId)}</strong>}
                  </>
                }
              />
            ))}
          </ul>
        )}
        {list && list.count > list.reviews.length && (
          <p className="muted small">{t('reviews.showingNewest', { shown: list.reviews.length, count: list.count })}</p>
        )}
      </section>
    </main>
  );
}
