import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import { reportError } from '../../notices.js';
import { CHANNELS, type DirectoryAgent, type QueueStats, type ReportGroupBy, type ReportRow } from '../../types.js';
import { DrillDown } from './drill-down.js';
import { count, pct, rowFilter as rowFilterFor, score, seconds } from './figures.js';
import { browserTimeZone, periodOf, presetOf, PRESETS, todayIn, type Period, type Preset } from './periods.js';
import { ReportTable } from './report-table.js';
import { saveFile } from './save-file.js';
import './reports.css';

// recharts is the heaviest part of this screen: it loads with the chart, after the figures.
const ReportChart = lazy(() => import('./report-chart.js'));

const GROUP_BYS: ReportGroupBy[] = ['day', 'hour', 'queue', 'agent', 'channel', 'disposition'];
type Narrow = { queue: string; agentId: string; channel: string };
export type Drill = { title: string; filter: Record<string, string | undefined> };

/**
 * Reports (supervisors, admins), `/reports`: a period of the organisation's days, grouped the way
 * the API allows, as headline figures, a chart and a table; a row opens the conversations behind
 * it; both can be exported as CSV (audited). Definitions: docs/reports.md.
 */
export function Reports({ onOpenConversation }: { onOpenConversation: (id: string) => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [timeZone, setTimeZone] = useState(browserTimeZone);
  const today = todayIn(timeZone);
  const [period, setPeriod] = useState<Period>(() => periodOf('last7', today));
  const [preset, setPreset] = useState<Preset | 'custom'>('last7');
  const [groupBy, setGroupBy] = useState<ReportGroupBy>('day');
  const [narrow, setNarrow] = useState<Narrow>({ queue: '', agentId: '', channel: '' });
  const [report, setReport] = useState<{ rows: ReportRow[]; total: ReportRow; groupBy: ReportGroupBy } | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [drill, setDrill] = useState<Drill | null>(null);
  const [queues, setQueues] = useState<QueueStats[]>([]);
  const [agents, setAgents] = useState<DirectoryAgent[]>([]);

  useEffect(() => {
    api.queues().then(setQueues, () => {});
    api.directory().then(setAgents, () => {});
  }, []);

  const query = useMemo(
    () => ({
      ...period,
      groupBy,
      queue: narrow.queue || undefined,
      agentId: narrow.agentId || undefined,
      channel: narrow.channel || undefined,
    }),
    [period, groupBy, narrow],
  );

  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    api.reports.summary(query).then(
      (r) => {
        if (!live) return;
        setReport({ rows: r.rows, total: r.total, groupBy: query.groupBy });
        setLoading(false);
        // The organisation's zone decides what "today" is: a preset is re-read in it.
        if (r.timezone !== timeZone) {
          setTimeZone(r.timezone);
          if (preset !== 'custom') setPeriod(periodOf(preset, todayIn(r.timezone)));
        }
      },
      (err: Error) => {
        if (!live) return;
        setError(err.message);
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
    // preset and timeZone are read, not watched: a zone change re-sets the period, which re-runs this.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [query]);

  const choosePreset = (p: Preset | 'custom') => {
    setPreset(p);
    if (p !== 'custom') setPeriod(periodOf(p, today));
  };
  const setDay = (which: 'from' | 'to', day: string) => {
    if (!day) return;
    const next = { ...period, [which]: day };
    if (next.from > next.to) next[which === 'from' ? 'to' : 'from'] = day;
    setPeriod(next);
    setPreset(presetOf(next, today));
  };

  const exportReport = useCallback(
    () =>
      api.reports
        .summaryCsv(query)
        .then(
          (blob) => saveFile(blob, `switchboard-${query.groupBy}-${query.from}-${query.to}.csv`),
          reportError(t('reports.exportFailed')),
        ),
    [query, t],
  );
  const { groupBy: _g, ...listQuery } = query;
  const exportConversations = () =>
    api.reports
      .conversationsCsv(listQuery)
      .then((blob) => saveFile(blob, `switchboard-conversations-${query.from}-${query.to}.csv`), reportError(t('reports.exportFailed')));

  const total = report?.total;
  return (
    <main className="page-column reports" aria-labelledby="reports-title">
      <div className="reports-head">
        <h1 id="reports-title">{t('reports.title')}</h1>
        <p className="muted" data-testid="report-timezone">
          {t('reports.timezone', { zone: timeZone })}
        </p>
      </div>
      <form className="card reports-controls" aria-label={t('reports.controls')} onSubmit={(e) => e.preventDefault()}>
        <div className="reports-field">
          <label htmlFor="reports-period">{t('reports.period')}</label>
          <select id="reports-period" value={preset} onChange={(e) => choosePreset(e.target.value as Preset | 'custom')}>
            {PRESETS.map((p) => (
              <option key={p} value={p}>
                {t(`reports.presets.${p}`)}
              </option>
            ))}
            <option value="custom">{t('reports.presets.custom')}</option>
          </select>
        </div>
        <div className="reports-field">
          <label htmlFor="reports-from">{t('reports.from')}</label>
          <input id="reports-from" type="date" value={period.from} max={today} onChange={(e) => setDay('from', e.target.value)} />
        </div>
        <div className="reports-field">
          <label htmlFor="reports-to">{t('reports.to')}</label>
          <input id="reports-to" type="date" value={period.to} max={today} onChange={(e) => setDay('to', e.target.value)} />
        </div>
        <div className="reports-field">
          <label htmlFor="reports-groupBy">{t('reports.groupBy')}</label>
          <select id="reports-groupBy" value={groupBy} onChange={(e) => setGroupBy(e.target.value as ReportGroupBy)}>
            {GROUP_BYS.map((g) => (
              <option key={g} value={g}>
                {t(`reports.groups.${g}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="reports-field">
          <label htmlFor="reports-queue">{t('reports.queue')}</label>
          <select id="reports-queue" value={narrow.queue} onChange={(e) => setNarrow({ ...narrow, queue: e.target.value })}>
            <option value="">{t('reports.all')}</option>
            {queues.map((q) => (
              <option key={q.key} value={q.key}>
                {q.name}
              </option>
            ))}
          </select>
        </div>
        <div className="reports-field">
          <label htmlFor="reports-channel">{t('reports.channel')}</label>
          <select id="reports-channel" value={narrow.channel} onChange={(e) => setNarrow({ ...narrow, channel: e.target.value })}>
            <option value="">{t('reports.all')}</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {t(`channels.${c}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="reports-field">
          <label htmlFor="reports-agent">{t('reports.agent')}</label>
          <select id="reports-agent" value={narrow.agentId} onChange={(e) => setNarrow({ ...narrow, agentId: e.target.value })}>
            <option value="">{t('reports.all')}</option>
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </div>
        <div className="reports-exports">
          <button type="button" className="btn" onClick={exportReport}>
            {t('reports.exportReport')}
          </button>
          <button type="button" className="btn" onClick={exportConversations}>
            {t('reports.exportConversations')}
          </button>
        </div>
      </form>

      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <section className="kpis reports-kpis" aria-label={t('reports.totals')} aria-busy={loading} data-testid="report-totals">
        <Kpi id="created" label={t('reports.col.created')} value={total ? count(total.created, lang) : '—'} />
        <Kpi id="answered" label={t('reports.col.answered')} value={total ? count(total.answered, lang) : '—'} />
        <Kpi id="abandoned" label={t('reports.col.abandoned')} value={total ? count(total.abandoned, lang) : '—'} />
        <Kpi id="serviceLevel" label={t('reports.col.serviceLevel')} value={total ? pct(total.serviceLevel, lang) : '—'} />
        <Kpi id="avgSpeedOfAnswerSeconds" label={t('reports.col.asa')} value={total ? seconds(total.avgSpeedOfAnswerSeconds) : '—'} />
        <Kpi id="medianFirstResponseSeconds" label={t('reports.col.frt')} value={total ? seconds(total.medianFirstResponseSeconds) : '—'} />
        <Kpi id="avgHandleSeconds" label={t('reports.col.aht')} value={total ? seconds(total.avgHandleSeconds) : '—'} />
        <Kpi
          id="csatAverage"
          label={t('reports.col.csat')}
          value={total ? score(total.csatAverage, lang) : '—'}
          sub={total ? t('reports.csatSub', { responses: total.csatResponses, rate: pct(total.csatResponseRate, lang) }) : undefined}
        />
      </section>

      {report && (
        <>
          <section className="card reports-chart" aria-labelledby="reports-chart-title">
            <h2 className="card-title" id="reports-chart-title">
              {t('reports.chartTitle', { group: t(`reports.groups.${report.groupBy}`) })}
            </h2>
            <Suspense fallback={<p className="muted">{t('common.loading')}</p>}>
              <ReportChart rows={report.rows} groupBy={report.groupBy} />
            </Suspense>
          </section>
          <ReportTable
            rows={report.rows}
            total={report.total}
            groupBy={report.groupBy}
            onDrill={(row, title) => setDrill({ title, filter: { ...listQuery, ...rowFilterFor(row, report.groupBy) } })}
          />
        </>
      )}
      {drill && <DrillDown drill={drill} onClose={() => setDrill(null)} onOpenConversation={onOpenConversation} />}
    </main>
  );
}

function Kpi({ id, label, value, sub }: { id: string; label: string; value: string; sub?: string }) {
  return (
    <div className="kpi">
      <div className="kpi-label">{label}</div>
      <div className="kpi-value" data-testid={`total-${id}`}>
        {value}
      </div>
      {sub && <div className="kpi-sub">{sub}</div>}
    </div>
  );
}
