import { waitLabel } from '../../format.js';
import type { WallboardAlert } from './use-wallboard-data.js';

/** Escalations the router raised (`supervisor.alert`), newest first. */
export function AlertList({ alerts, onOpen }: { alerts: WallboardAlert[]; onOpen: (conversationId: string) => void }) {
  return (
    <section className="card wb-alerts" aria-label="Alerts">
      <h2 className="card-title">Alerts</h2>
      {alerts.length === 0 ? (
        <p className="muted small">No escalations. Queues over their target are highlighted in red.</p>
      ) : (
        <ul className="alerts">
          {alerts.map((a, i) => (
            <li key={i} className="alert-item">
              <span className="pill pill-danger">{a.queue}</span>
              <span>
                {a.reason} · waiting {waitLabel(a.waitingSeconds)}
              </span>
              <button className="link" onClick={() => onOpen(a.conversationId)}>
                Open
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
