import { useTranslation } from 'react-i18next';
import { ChannelBadge, StatusPill } from '../../../components/bits.js';
import type { Conversation } from '../../../types.js';

/** Who, which queue and inbox, the status; Transfer and Resolve while the conversation is open. */
export function ConversationHeader({
  conversation: c,
  contactName,
  open,
  onTransfer,
  onResolve,
}: {
  conversation: Conversation;
  contactName: string;
  open: boolean;
  onTransfer: () => void;
  onResolve: () => void;
}) {
  const { t } = useTranslation();
  return (
    <header className="conv-header">
      <ChannelBadge channel={c.channel} withLabel />
      <div className="conv-header-main">
        <h1 className="conv-title">{contactName}</h1>
        <div className="conv-header-meta">
          {c.subject && <span className="conv-subject-line">{c.subject}</span>}
          <span>{t('conversation.queue', { queue: c.queue })}</span>
          <span>{t('conversation.via', { address: c.inboxAddress })}</span>
          <StatusPill status={c.status} />
          {c.disposition && <span className="pill">{c.disposition}</span>}
        </div>
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
