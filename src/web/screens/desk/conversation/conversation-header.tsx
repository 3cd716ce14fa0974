import type { Dispatch } from 'react';
import { useTranslation } from 'react-i18next';
import { ChannelBadge, StatusPill } from '../../../components/bits.js';
import { DueBadge, NumberBadge } from '../../../components/request-bits.js';
import type { DeskAction } from '../../../state/desk.js';
import type { Conversation } from '../../../types.js';
import { RequestActions } from './request-actions.js';

/** Reference, who, which queue and inbox, the status and SLA; request controls; Transfer and Resolve while it is open. */
export function ConversationHeader({
  conversation: c,
  contactName,
  open,
  onTransfer,
  onResolve,
  canChangeStatus,
  dispatch,
}: {
  conversation: Conversation;
  contactName: string;
  open: boolean;
  canChangeStatus: boolean;
  dispatch: Dispatch<DeskAction>;
  onTransfer: () => void;
  onResolve: () => void;
}) {
  const { t } = useTranslation();
  return (
    <header className="conv-header">
      <ChannelBadge channel={c.channel} withLabel />
      <div className="conv-header-main">
        <h1 className="conv-title" title={contactName}>
          <NumberBadge number={c.number} /> <bdi>{contactName}</bdi>
        </h1>
        <div className="conv-header-meta">
          {c.subject && <bdi className="conv-subject-line">{c.subject}</bdi>}
          <span>{t('conversation.queue', { queue: c.queue })}</span>
          <span>{t('conversation.via', { address: c.inboxAddress })}</span>
          <StatusPill status={c.status} />
          <DueBadge conversation={c} />
          {c.disposition && (
            <span className="pill" data-testid="disposition" title={c.disposition}>
              {c.dispositionLabel ?? c.disposition}
            </span>
          )}
        </div>
        <RequestActions conversation={c} canChangeStatus={open && canChangeStatus} dispatch={dispatch} />
      </div>
      {open && (
        <div className="conv-actions">
          <button className="btn" onClick={onTransfer} aria-keyshortcuts="Alt+T">
            {t('conversation.transfer')}
          </button>
          <button className="btn btn-primary" onClick={onResolve} aria-keyshortcuts="Alt+S">
            {t('conversation.resolve')}
          </button>
        </div>
      )}
    </header>
  );
}
