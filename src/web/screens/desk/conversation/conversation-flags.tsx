import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api.js';
import { useIncidents } from '../../../app/use-crisis-alerts.js';
import { reportError } from '../../../notices.js';
import type { Conversation } from '../../../types.js';

/**
 * Under the conversation's header: why the crisis matcher flagged it (the reasons quote the
 * contact), and while incidents are open, the one-click link to one ("Link to incident"), with
 * the incident its words matched offered first.
 */
export function ConversationFlags({ conversation: c, open }: { conversation: Conversation; open: boolean }) {
  const { t } = useTranslation();
  const { incidents, suggested } = useIncidents();
  const [busy, setBusy] = useState(false);
  const linked = incidents.filter((i) => i.conversationIds.includes(c.id));
  const hinted = suggested[c.id] ?? [];
  const linkable = incidents
    .filter((i) => !i.conversationIds.includes(c.id) && (i.queues.length === 0 || i.queues.includes(c.queue) || hinted.includes(i.id)))
    .sort((a, b) => Number(hinted.includes(b.id)) - Number(hinted.includes(a.id)));
  const [choice, setChoice] = useState('');
  const target = linkable.find((i) => i.id === choice) ?? linkable[0];
  if (!c.risk && !linked.length && !(open && linkable.length)) return null;

  const run = (fn: () => Promise<unknown>, what: string) => {
    setBusy(true);
    fn()
      .catch(reportError(what))
      .finally(() => setBusy(false));
  };
  return (
    <div className="conv-flags" aria-label={t('incidents.flags')}>
      {c.risk && (
        <span data-testid="risk-flag">
          <span className="risk">{t(`crisis.level.${c.risk.level}`)}</span>{' '}
          <span className="risk-reasons">{c.risk.reasons.slice(0, 3).join('; ')}</span>
        </span>
      )}
      {linked.map((i) => (
        <span key={i.id} className="pill">
          {t('incidents.linkedTo', { title: i.title })}{' '}
          {open && (
            <button
              type="button"
              className="link"
              disabled={busy}
              onClick={() => run(() => api.crisis.unlink(i.id, c.id), t('incidents.unlinkFailed'))}
            >
              {t('incidents.unlink')}
            </button>
          )}
        </span>
      ))}
      {open && target && (
        <span className="incident-link">
          {hinted.includes(target.id) && <span className="suggested">{t('incidents.looksLike', { title: target.title })}</span>}
          {linkable.length > 1 && (
            <select aria-label={t('incidents.which')} value={target.id} onChange={(e) => setChoice(e.target.value)}>
              {linkable.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.title}
                </option>
              ))}
            </select>
          )}
          <button
            type="button"
            className="btn btn-sm"
            disabled={busy}
            onClick={() => run(() => api.crisis.link(target.id, c.id), t('incidents.linkFailed'))}
            title={target.title}
          >
            {linkable.length > 1 ? t('incidents.linkTo') : t('incidents.linkToTitle', { title: target.title })}
          </button>
        </span>
      )}
    </div>
  );
}
