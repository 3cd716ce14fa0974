import { useTranslation } from 'react-i18next';
import { formatNumber, percent, waitLabel } from '../../format.js';
import type { Agent } from '../../types.js';
import type { Totals } from './figures.js';

/** The row of headline figures across the top of the wallboard. */
export function Kpis({ totals: t, agents }: { totals: Totals; agents: Agent[] }) {
  const { t: tr } = useTranslation();
  const online = agents.filter((a) => a.presence !== 'offline');
  const sl = t.serviceLevel;
  const abandon = t.abandonRate;
  return (
    <section className="kpis" aria-label={tr('wallboard.kpi.totals')}>
      <Kpi label={tr('wallboard.kpi.waiting')} value={formatNumber(t.waiting)} tone={t.waiting ? 'warn' : undefined} testId="kpi-waiting" />
      <Kpi label={tr('wallboard.kpi.longest')} value={waitLabel(t.longest)} tone={t.breaches ? 'danger' : undefined} />
      <Kpi label={tr('wallboard.kpi.serviceLevel')} value={percent(sl)} tone={sl !== null && sl < 80 ? 'danger' : 'ok'} />
      <Kpi label={tr('wallboard.kpi.abandon')} value={percent(abandon)} tone={abandon !== null && abandon > 5 ? 'danger' : undefined} />
      <Kpi
        label={tr('wallboard.kpi.agents')}
        value={`${formatNumber(agents.filter((a) => a.presence === 'available').length)} / ${formatNumber(online.length)}`}
        sub={tr('wallboard.kpi.agentsSub')}
      />
      <Kpi
        label={tr('wallboard.kpi.breaches')}
        value={formatNumber(t.breaches)}
        tone={t.breaches ? 'danger' : 'ok'}
        sub={tr('wallboard.kpi.breachesSub')}
      />
    </section>
  );
}

function Kpi({
  label,
  value,
  sub,
  tone,
  testId,
}: {
  label: string;
  value: string;
  sub?: string;
  tone?: 'ok' | 'warn' | 'danger';
  testId?: string;
}) {
  return (
    <div className={`kpi ${tone ? `kpi-${tone}` : ''}`}>
      <div className="kpi-label">{label}</div>
      <div className="kpi-value" data-testid={testId}>
        {value}
      </div>
      {sub && <div className="kpi-sub">{sub}</div>}
    </div>
  );
}
