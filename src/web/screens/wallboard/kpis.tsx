import { percent, waitLabel } from '../../format.js';
import type { Agent } from '../../types.js';
import type { Totals } from './figures.js';

/** The row of headline figures across the top of the wallboard. */
export function Kpis({ totals: t, agents }: { totals: Totals; agents: Agent[] }) {
  const online = agents.filter((a) => a.presence !== 'offline');
  const sl = t.serviceLevel;
  const abandon = t.abandonRate;
  return (
    <section className="kpis" aria-label="Totals">
      <Kpi label="Waiting now" value={String(t.waiting)} tone={t.waiting ? 'warn' : undefined} testId="kpi-waiting" />
      <Kpi label="Longest wait" value={waitLabel(t.longest)} tone={t.breaches ? 'danger' : undefined} />
      <Kpi label="Service level today" value={percent(sl)} tone={sl !== null && sl < 80 ? 'danger' : 'ok'} />
      <Kpi label="Abandon rate today" value={percent(abandon)} tone={abandon !== null && abandon > 5 ? 'danger' : undefined} />
      <Kpi
        label="Agents available"
        value={`${agents.filter((a) => a.presence === 'available').length} / ${online.length}`}
        sub="available / online"
      />
      <Kpi label="SLA breaches" value={String(t.breaches)} tone={t.breaches ? 'danger' : 'ok'} sub="queues over target" />
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
