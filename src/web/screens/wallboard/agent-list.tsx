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
  return (
    <section className="card wb-agents" aria-label="Agents">
      <h2 className="card-title">Agents</h2>
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
                    <span className="agent-load" aria-label="Assigned work">
                      {(Object.entries(load) as [Channel, number][]).map(([c, n]) => (
                        <span key={c} className="load-chip">
                          <ChannelBadge channel={c} /> {n}
                        </span>
                      ))}
                    </span>
                  )}
                  <span className="muted small">{a.queues.map((q) => q.queue).join(', ') || 'no queues'}</span>
                </span>
              </span>
              <label className="sr-only" htmlFor={`presence-${a.id}`}>
                Presence of {a.name}
              </label>
              <select
                id={`presence-${a.id}`}
                className={`presence-select p-${a.presence}`}
                value={SETTABLE.includes(a.presence) ? a.presence : ''}
                onChange={(e) => onSetPresence(a.id, e.target.value as Presence)}
              >
                {!SETTABLE.includes(a.presence) && <option value="">{a.presence}</option>}
                <option value="available">available</option>
                <option value="away">away</option>
                <option value="offline">offline</option>
              </select>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
