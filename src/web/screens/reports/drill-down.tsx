import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import { reportError } from '../../notices.js';
import type { ReportConversation } from '../../types.js';
import { seconds } from './figures.js';
import type { Drill } from './reports.js';
import { saveFile } from './save-file.js';

const when = (iso: string, lang: string) =>
  iso ? new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)) : '—';

/** The conversations behind a report row (the first 200), each one a link into the desk, and the whole list as CSV. */
export function DrillDown({
  drill,
  onClose,
  onOpenConversation,
}: {
  drill: Drill;
  onClose: () => void;
  onOpenConversation: (id: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const [page, setPage] = useState<{ conversations: ReportConversation[]; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    setPage(null);
    setError(null);
    api.reports.conversations(drill.filter).then(setPage, (err: Error) => setError(err.message));
    // Keyboard and screen-reader users land on the list they asked for.
    heading.current?.focus();
    heading.current?.scrollIntoView({ block: 'start' });
  }, [drill]);
  const exportList = () =>
    api.reports
      .conversationsCsv(drill.filter)
      .then(
        (blob) => saveFile(blob, `switchboard-conversations-${drill.filter.from}-${drill.filter.to}.csv`),
        reportError(t('reports.exportFailed')),
      );

  return (
    <section className="card reports-drill" aria-labelledby="reports-drill-title" data-testid="drill-down">
      <div className="reports-drill-head">
        <h2 className="card-title" id="reports-drill-title" tabIndex={-1} ref={heading}>
          {t('reports.drillTitle', { name: drill.title })}
        </h2>
        <button type="button" className="btn btn-sm btn-ghost" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {!page && !error && <p className="muted">{t('common.loading')}</p>}
      {page && (
        <>
          <div className="reports-drill-head">
            <p data-testid="drill-count">{t('reports.drillCount', { shown: page.conversations.length, count: page.total })}</p>
            <button type="button" className="btn btn-sm" onClick={exportList}>
              {t('reports.exportThese')}
            </button>
          </div>
          <div className="reports-scroll">
            <table className="table table-compact" data-testid="drill-table">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{t('reports.list.created')}</th>
                  <th scope="col">{t('reports.channel')}</th>
                  <th scope="col">{t('reports.queue')}</th>
                  <th scope="col">{t('reports.list.status')}</th>
                  <th scope="col">{t('reports.agent')}</th>
                  <th scope="col" className="num">
                    {t('reports.list.wait')}
                  </th>
                  <th scope="col" className="num">
                    {t('reports.list.firstResponse')}
                  </th>
                  <th scope="col" className="num">
                    {t('reports.list.handle')}
                  </th>
                  <th scope="col" className="num">
                    {t('reports.list.csat')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.conversations.map((c) => (
                  <tr key={c.id}>
                    <th scope="row">
                      <button
                        type="button"
                        className="link-btn"
                        onClick={() => onOpenConversation(c.id)}
                        aria-label={t('reports.open', { number: c.number })}
                      >
                        #{c.number}
                      </button>
                    </th>
                    <td>{when(c.createdAt, i18n.language)}</td>
                    <td>{t(`channels.${c.channel}`)}</td>
                    <td>{c.queue}</td>
                    <td>{c.status}</td>
                    <td>{c.agent ?? '—'}</td>
                    <td className="num">{seconds(c.waitSeconds)}</td>
                    <td className="num">{seconds(c.firstResponseSeconds)}</td>
                    <td className="num">{seconds(c.handleSeconds)}</td>
                    <td className="num">{c.csatScore ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
