import { useTranslation } from 'react-i18next';
import { percent, waitLabel } from '../../format.js';
import type { QueueStats } from '../../types.js';
import { breached, liveWait, windowLabel } from './figures.js';

/** One row per queue: waiting, longest wait against its target, SL and abandon over the window, agents. */
export function QueueTable({ queues, fetchedAt, now }: { queues: QueueStats[]; fetchedAt: number; now: number }) {
  const { t } = useTranslation();
  const win = windowLabel(queues);
  return (
    // Focusable: on narrow screens the table scrolls sideways, and keyboard users must be able to scroll it too.
    <section className="card wb-queues" aria-label={t('wallboard.queues.title')} tabIndex={0}>
      <h2 className="card-title">{t('wallboard.queues.title')}</h2>
      <table className="table" data-testid="queues-table">
        <thead>
          <tr>
            <th scope="col">{t('wallboard.queues.queue')}</th>
            <th scope="col" className="num">
              {t('wallboard.queues.waiting')}
            </th>
            <th scope="col" className="num">
              {t('wallboard.queues.longest')}
            </th>
            <th scope="col" className="num">
              {t('wallboard.queues.target')}
            </th>
            <th scope="col" className="num">
              {t('wallboard.queues.serviceLevel')}
              {win}
            </th>
            <th scope="col" className="num">
              {t('wallboard.queues.abandon')}
              {win}
            </th>
            <th scope="col" className="num">
              {t('wallboard.queues.answered')}
            </th>
            <th scope="col" className="num" title={t('wallboard.queues.overdueHint')}>
              {t('wallboard.queues.overdue')}
            </th>
            <th scope="col" className="num">
              {t('wallboard.queues.agents')}
            </th>
          </tr>
        </thead>
        <tbody>
          {queues.map((q) => {
            const w = liveWait(q, fetchedAt, now);
            const bad = breached(q, w);
            return (
              <tr key={q.key} className={bad ? 'breach' : ''} data-testid={`queue-${q.key}`}>
                <th scope="row">
                  <span className="q-name">{q.name}</span>
                  {q.open === false && <span className="pill">{t('wallboard.queues.closed')}</span>}
                  {bad && <span className="pill pill-danger">{t('wallboard.queues.breach')}</span>}
                </th>
                <td className="num strong" data-testid={`queue-${q.key}-waiting`}>
                  {q.waiting + q.offered}
                </td>
                <td className={`num ${bad ? 'danger' : ''}`}>{q.waiting + q.offered ? waitLabel(w) : '—'}</td>
                <td className="num muted">{waitLabel(q.slaSeconds)}</td>
                <td className="num">{percent(q.serviceLevel)}</td>
                <td className="num">{percent(q.abandonRate)}</td>
                <td className="num">{q.today?.answered ?? 0}</td>
                <td className={`num ${q.slaBreachedOpen ? 'danger strong' : 'muted'}`} data-testid={`queue-${q.key}-overdue`}>
                  {q.slaBreachedOpen ?? 0}
                </td>
                <td className="num">
                  {q.agentsAvailable}/{q.agentsOnline}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
