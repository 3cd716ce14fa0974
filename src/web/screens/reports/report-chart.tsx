import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useTranslation } from 'react-i18next';
import type { ReportGroupBy, ReportRow } from '../../types.js';
import { rowName } from './figures.js';

/**
 * Volumes per group (answered, abandoned, the rest) with the service level and the CSAT average as
 * lines. Loaded on its own (React.lazy) so recharts never weighs on the desk's first load. The table
 * beside it carries the same figures as text, for screen readers.
 */
export default function ReportChart({ rows, groupBy }: { rows: ReportRow[]; groupBy: ReportGroupBy }) {
  const { t, i18n } = useTranslation();
  const none = t(`reports.none.${groupBy}`, { defaultValue: t('reports.none.other') });
  const data = rows.map((r) => ({
    name: rowName(r, groupBy, i18n.language, none, (c) => t(`channels.${c}`)),
    answered: r.answered,
    abandoned: r.abandoned,
    other: Math.max(0, r.created - r.answered - r.abandoned),
    serviceLevel: r.serviceLevel,
    csat: r.csatAverage,
  }));
  return (
    <div className="reports-chart-box" role="img" aria-label={t('reports.chartAlt')}>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -12 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e5e7eb" />
          <XAxis dataKey="name" tickLine={false} axisLine={false} fontSize={11} interval="preserveStartEnd" />
          <YAxis yAxisId="n" allowDecimals={false} tickLine={false} axisLine={false} fontSize={12} />
          <YAxis yAxisId="pct" orientation="right" domain={[0, 100]} tickLine={false} axisLine={false} fontSize={12} unit="%" />
          <YAxis yAxisId="csat" hide domain={[0, 5]} />
          {/* Item text in the page's ink: the series colours are too light to read as text (WCAG contrast). */}
          <Tooltip cursor={{ fill: '#f3f4f6' }} itemStyle={{ color: '#1c2230' }} />
          <Legend iconType="circle" iconSize={8} wrapperStyle={{ fontSize: 12 }} />
          <Bar yAxisId="n" dataKey="answered" name={t('reports.col.answered')} stackId="v" fill="#2563eb" isAnimationActive={false} />
          <Bar yAxisId="n" dataKey="abandoned" name={t('reports.col.abandoned')} stackId="v" fill="#dc2626" isAnimationActive={false} />
          <Bar yAxisId="n" dataKey="other" name={t('reports.chartOther')} stackId="v" fill="#9ca3af" isAnimationActive={false} />
          <Line
            yAxisId="pct"
            dataKey="serviceLevel"
            name={t('reports.col.serviceLevel')}
            stroke="#16a34a"
            strokeWidth={2}
            dot={false}
            connectNulls
            isAnimationActive={false}
          />
          <Line
            yAxisId="csat"
            dataKey="csat"
            name={t('reports.col.csat')}
            stroke="#b45309"
            strokeWidth={2}
            strokeDasharray="4 3"
            dot={{ r: 2 }}
            connectNulls
            isAnimationActive={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
