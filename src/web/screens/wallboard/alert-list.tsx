import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { waitLabel } from '../../format.js';
import type { WallboardAlert } from './use-wallboard-data.js';

/** Escalations the router raised (`supervisor.alert`), newest first. */
export function AlertList({ alerts, onOpen }: { alerts: WallboardAlert[]; onOpen: (conversationId: string) => void }) {
  const { t } = useTranslation();
  return (
    <section className="card wb-alerts" aria-label={t('wallboard.alerts.title')}>
      <h2 className="card-title">{t('wallboard.alerts.title')}</h2>
      {alerts.length === 0 ? (
        <p className="muted small">{t('wallboard.alerts.none')}</p>
      ) : (
        <ul className="alerts">
          {alerts.map((a, i) => (
            <li key={i} className="alert-item">
              <span className="pill pill-danger">{a.queue}</span>
              <span>
                {alertReason(a.reason, t)} · {t('wallboard.alerts.waiting', { wait: waitLabel(a.waitingSeconds) })}
              </span>
              <button className="link" onClick={() => onOpen(a.conversationId)}>
                {t('wallboard.alerts.open')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The router writes `waiting more than <n>s in <queue>` (src/core/routing/timers.ts); said again in the desk's language. */
function alertReason(reason: string, t: TFunction) {
  const over = /^waiting more than (\d+)s in /.exec(reason);
  return over ? t('wallboard.alerts.over', { limit: waitLabel(Number(over[1])) }) : reason;
}
