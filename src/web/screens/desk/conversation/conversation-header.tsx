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
  owner,
  canTransfer,
  canResolve,
  onTransfer,
  onResolve,
  canChangeStatus,
  dispatch,
  onReview,
}: {
  conversation: Conversation;
  contactName: string;
  open: boolean;
  /** Set when the conversation is not the agent's: who holds it (name unknown: null), or the queue it waits in. */
  owner: { name: string | null } | { queue: string } | null;
  canTransfer: boolean;
  canResolve: boolean;
  canChangeStatus: boolean;
  dispatch: Dispatch<DeskAction>;
  onTransfer: () => void;
  onResolve: () => void;
  /** Set for supervisors on a resolved conversation someone handled: opens the quality review. */
  onReview?: () => void;
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
        {owner && (
          <p className="conv-owner" data-testid="conv-owner">
            {'queue' in owner
              ? t('conversation.owner.waiting', { queue: owner.queue })
              : owner.name
                ? t('conversation.owner.assigned', { name: owner.name })
                : t('conversation.owner.someoneElse')}
          </p>
        )}
        <RequestActions conversation={c} canChangeStatus={open && canChangeStatus} dispatch={dispatch} />
      </div>
      {!open && onReview && (
        <div className="conv-actions">
          <button className="btn" onClick={onReview}>
            {t('reviews.review')}
          </button>
        </div>
      )}
      {open && (
        <div className="conv-actions">
          <button
            className="btn"
            onClick={onTransfer}
            aria-keyshortcuts="Alt+T"
            disabled={!canTransfer}
            title={canTransfer ? undefined : t('conversation.owner.cannotTransfer')}
          >
            {t('conversation.transfer')}
          </button>
          <button
            className="btn btn-primary"
            onClick={onResolve}
            aria-keyshortcuts="Alt+S"
            disabled={!canResolve}
            title={canResolve ? undefined : t('conversation.owner.cannotResolve')}
          >
            {t('conversation.resolve')}
          </button>
        </div>
      )}
    </header>
  );
}
