import { useTranslation } from 'react-i18next';
import { ChannelBadge } from '../../components/bits.js';
import { PresenceDot } from '../../components/top-bar.js';
import type { Agent, Channel, Presence, TodayReport } from '../../types.js';

const SETTABLE = ['available', 'away', 'offline'];

/** Every agent with presence (a supervisor can change it), assigned work by channel and queues. */
export function AgentList({
  agents,
  report,
  onSetPresence,
}: {
  agents: Agent[];
  report: TodayReport | null;
  onSetPresence: (agentId: string, presence: Presence) => void;
}) {
  const { t } = useTranslation();
  return (
    <section className="card wb-agents" aria-label={t('wallboard.agents')}>
      <h2 className="card-title">{t('wallboard.agents')}</h2>
      <ul className="agent-list">
        {agents.map((a) => {
          const load = report?.agentLoad?.[a.id] ?? {};
          return (
            <li key={a.id} className="agent-row" data-testid="agent-row">
              <PresenceDot presence={a.presence} />
              <span className="agent-main">
                <bdi className="agent-name">{a.name}</bdi>
                <span className="agent-sub">
                  {Object.keys(load).length > 0 && (
                    <span className="agent-load" aria-label={t('wallboard.assignedWork')}>
                      {(Object.entries(load) as [Channel, number][]).map(([c, n]) => (
                        <span key={c} className="load-chip">
                          <ChannelBadge channel={c} /> {n}
                        </span>
                      ))}
                    </span>
                  )}
                  <span className="muted small">{a.queues.map((q) => q.queue).join(', ') || t('wallboard.noQueues')}</span>
                </span>
              </span>
              <label className="sr-only" htmlFor={`presence-${a.id}`}>
                {t('wallboard.presenceOf', { name: a.name })}
              </label>
              <select
                id={`presence-${a.id}`}
                className={`presence-select p-${a.presence}`}
                value={SETTABLE.includes(a.presence) ? a.presence : ''}
                onChange={(e) => onSetPresence(a.id, e.target.value as Presence)}
              >
                {!SETTABLE.includes(a.presence) && <option value="">{t(`presence.${a.presence}`)}</option>}
                {SETTABLE.map((p) => (
                  <option key={p} value={p}>
                    {t(`presence.${p}`)}
                  </option>
                ))}
              </select>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
