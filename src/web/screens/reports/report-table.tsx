import { useTranslation } from 'react-i18next';
import type { ReportGroupBy, ReportRow } from '../../types.js';
import { count, pct, rowName, score, seconds } from './figures.js';

type Column = { id: keyof ReportRow; label: string; show: (r: ReportRow) => string };

/** The report as a table: one row per group, the whole report's total last; a row's name opens its conversations. */
export function ReportTable(props: {
  rows: ReportRow[];
  total: ReportRow;
  groupBy: ReportGroupBy;
  onDrill: (row: ReportRow, title: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const columns: Column[] = [
    { id: 'created', label: t('reports.col.created'), show: (r) => count(r.created, lang) },
    { id: 'answered', label: t('reports.col.answered'), show: (r) => count(r.answered, lang) },
    { id: 'abandoned', label: t('reports.col.abandoned'), show: (r) => count(r.abandoned, lang) },
    { id: 'serviceLevel', label: t('reports.col.serviceLevel'), show: (r) => pct(r.serviceLevel, lang) },
    { id: 'avgSpeedOfAnswerSeconds', label: t('reports.col.asa'), show: (r) => seconds(r.avgSpeedOfAnswerSeconds) },
    { id: 'medianFirstResponseSeconds', label: t('reports.col.frt'), show: (r) => seconds(r.medianFirstResponseSeconds) },
    { id: 'p90FirstResponseSeconds', label: t('reports.col.frt90'), show: (r) => seconds(r.p90FirstResponseSeconds) },
    { id: 'avgHandleSeconds', label: t('reports.col.aht'), show: (r) => seconds(r.avgHandleSeconds) },
    { id: 'medianResolutionSeconds', label: t('reports.col.resolution'), show: (r) => seconds(r.medianResolutionSeconds) },
    { id: 'transfers', label: t('reports.col.transfers'), show: (r) => count(r.transfers, lang) },
    { id: 'slaBreaches', label: t('reports.col.slaBreaches'), show: (r) => count(r.slaBreaches, lang) },
    { id: 'csatAverage', label: t('reports.col.csat'), show: (r) => score(r.csatAverage, lang) },
    { id: 'csatResponseRate', label: t('reports.col.csatRate'), show: (r) => pct(r.csatResponseRate, lang) },
    { id: 'reviewAverage', label: t('reports.col.review'), show: (r) => score(r.reviewAverage, lang) },
  ];
  const none = t(`reports.none.${props.groupBy}`, { defaultValue: t('reports.none.other') });
  return (
    <section className="card reports-table" aria-labelledby="reports-table-title">
      <h2 className="card-title" id="reports-table-title">
        {t('reports.tableTitle')}
      </h2>
      <div className="reports-scroll" tabIndex={0} role="region" aria-labelledby="reports-table-title">
        <table className="table table-compact" data-testid="report-table">
          <thead>
            <tr>
              <th scope="col">{t(`reports.groups.${props.groupBy}`)}</th>
              {columns.map((c) => (
                <th key={c.id} scope="col" className="num">
                  {c.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.rows.map((r) => {
              const name = rowName(r, props.groupBy, lang, none, (c) => t(`channels.${c}`));
              return (
                <tr key={String(r.key)} data-key={r.key === null ? '' : String(r.key)}>
                  <th scope="row">
                    {r.created > 0 ? (
                      <button
                        type="button"
                        className="link-btn"
                        onClick={() => props.onDrill(r, name)}
                        aria-label={t('reports.drill', { name, count: r.created })}
                      >
                        {name}
                      </button>
                    ) : (
                      name
                    )}
                  </th>
                  {columns.map((c) => (
                    <td key={c.id} className="num" data-col={c.id}>
                      {c.show(r)}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
          <tfoot>
            <tr data-key="total">
              <th scope="row">{t('reports.total')}</th>
              {columns.map((c) => (
                <td key={c.id} className="num" data-col={c.id}>
                  {c.show(props.total)}
                </td>
              ))}
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}
