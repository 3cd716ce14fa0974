import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { crisisSound } from '../alerts.js';
import { channelLabel } from '../format.js';
import type { CrisisAlert, CsatAlert, Incident, IncidentProposal } from '../types.js';
import '../screens/incidents/incidents.css';

/** More crisis banners than this at once fold into "and N more" (the wallboard's list has them all). */
const SHOWN = 3;

/**
 * The banners above every screen: crises (red, with the level, channel and number, and a button to
 * open the conversation), open incidents (amber), and groups of similar contacts that may deserve
 * an incident (supervisors), and low satisfaction scores (supervisors and admins). The crisis tone can be turned off here; the choice stays on this browser.
 */
export function AlertBanners(props: {
  crises: CrisisAlert[];
  incidents: Incident[];
  proposals: IncidentProposal[];
  /** Low satisfaction scores (supervisors and admins; empty for agents). */
  lowScores?: CsatAlert[];
  onOpenConversation: (id: string) => void;
  onDismissCrisis: (a: CrisisAlert) => void;
  onDismissProposal: (p: IncidentProposal) => void;
  onDismissLowScore?: (a: CsatAlert) => void;
  /** Supervisors: to the incident screen (declare from a proposal, manage an incident). */
  onOpenIncidents?: (proposal?: IncidentProposal) => void;
}) {
  const { t } = useTranslation();
  const [sound, setSound] = useState(crisisSound.get);
  const { crises, incidents, proposals } = props;
  const lowScores = props.lowScores ?? [];
  if (!crises.length && !incidents.length && !proposals.length && !lowScores.length) return null;
  return (
    <div className="alert-banners">
      {crises.slice(0, SHOWN).map((a) => (
        <div key={a.conversationId} className={`banner banner-crisis level-${a.level}`} role="alert" data-testid="crisis-banner">
          <strong>{t(`crisis.level.${a.level}`)}</strong>
          <span>
            {t('crisis.banner', { channel: channelLabel(a.channel), number: a.number, queue: a.queue })}
            {a.categories.length > 0 && <> · {a.categories.map((c) => t(`crisis.category.${c}`, c)).join(', ')}</>}
          </span>
          <span className="banner-actions">
            <button type="button" className="btn btn-sm btn-danger" onClick={() => props.onOpenConversation(a.conversationId)}>
              {t('crisis.open', { number: a.number })}
            </button>
            <button type="button" className="btn btn-sm" onClick={() => props.onDismissCrisis(a)}>
              {t('crisis.dismiss')}
            </button>
          </span>
        </div>
      ))}
      {crises.length > SHOWN && (
        <div className="banner banner-crisis level-medium" role="status">
          {t('crisis.more', { count: crises.length - SHOWN })}
        </div>
      )}
      {crises.length > 0 && (
        <label className="crisis-sound">
          <input
            type="checkbox"
            checked={sound}
            onChange={(e) => {
              crisisSound.set(e.target.checked);
              setSound(e.target.checked);
            }}
          />
          {t('crisis.sound')}
        </label>
      )}
      {incidents.map((i) => (
        <div key={i.id} className="banner banner-incident" role="status" data-testid="incident-banner">
          <strong>{t('incidents.bannerTitle', { title: i.title })}</strong>
          <span className="banner-text">{i.publicMessage.en}</span>
          <span className="muted small">
            {i.queues.length ? t('incidents.queues', { queues: i.queues.join(', ') }) : t('incidents.allQueues')} ·{' '}
            {t('incidents.linkedCount', { count: i.conversationIds.length })}
          </span>
          {props.onOpenIncidents && (
            <button type="button" className="btn btn-sm banner-actions" onClick={() => props.onOpenIncidents?.()}>
              {t('incidents.manage')}
            </button>
          )}
        </div>
      ))}
      {proposals.map((p) => (
        <div key={p.conversationIds[0]} className="banner banner-proposal" role="status" data-testid="proposal-banner">
          <strong>{t('incidents.proposalTitle', { count: p.contacts })}</strong>
          <span>
            {t('incidents.proposalWords', {
              words: [...p.categories.map((c) => t(`crisis.category.${c}`, c)), ...p.words.slice(0, 5)].join(', '),
            })}{' '}
            · {p.numbers.map((n) => `#${n}`).join(' ')}
          </span>
          <span className="banner-actions">
            {props.onOpenIncidents && (
              <button type="button" className="btn btn-sm btn-primary" onClick={() => props.onOpenIncidents?.(p)}>
                {t('incidents.declareFromProposal')}
              </button>
            )}
            <button type="button" className="btn btn-sm" onClick={() => props.onDismissProposal(p)}>
              {t('crisis.dismiss')}
            </button>
          </span>
        </div>
      ))}
      {lowScores.map((a) => (
        <div key={a.conversationId} className="banner banner-csat" role="status" data-testid="csat-low-banner">
          <strong>{t('csat.lowTitle', { score: a.csat.score })}</strong>
          <span>
            {t('csat.lowDetail', {
              channel: channelLabel(a.csat.channel),
              number: a.number,
              queue: a.queue,
              agent: a.agentName ?? t('csat.noAgent'),
            })}
            {a.csat.comment ? <> · {t('csat.comment', { comment: a.csat.comment })}</> : null}
          </span>
          <span className="banner-actions">
            <button type="button" className="btn btn-sm btn-primary" onClick={() => props.onOpenConversation(a.conversationId)}>
              {t('csat.open', { number: a.number })}
            </button>
            {props.onDismissLowScore && (
              <button type="button" className="btn btn-sm" onClick={() => props.onDismissLowScore?.(a)}>
                {t('csat.dismiss')}
              </button>
            )}
          </span>
        </div>
      ))}
    </div>
  );
}
