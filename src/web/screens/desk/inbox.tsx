import { useTranslation } from 'react-i18next';
import { useEffect, useState, type Dispatch } from 'react';
import { channelLabel, contactLabel, timeAgo } from '../../format.js';
import { visibleConversations, type DeskAction, type DeskState, type Filters } from '../../state/desk.js';
import { CHANNELS } from '../../types.js';
import { ChannelBadge, Empty, StatusPill } from '../../components/bits.js';
import { DueBadge, NumberBadge, TagChips } from '../../components/request-bits.js';
import { SearchBox } from './search-box.js';
import { useQueueKeys, useTags } from './use-desk-data.js';

/** The conversation list with its filters (mine / my queues, channel, queue, status). */
export function Inbox({ state, dispatch }: { state: DeskState; dispatch: Dispatch<DeskAction> }) {
  const { t } = useTranslation();
  const queues = useQueueKeys();
  const tags = useTags(state.filters.scope);
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 30_000); // keep "5m ago" fresh
    return () => clearInterval(t);
  }, []);
  const list = visibleConversations(state);
  const f = state.filters;
  const set = (filters: Partial<Filters>) => dispatch({ type: 'filters', filters });

  return (
    <nav className="inbox" aria-label={t('inbox.label')}>
      <SearchBox onOpen={(id) => dispatch({ type: 'select', id })} />
      <div className="inbox-head">
        <div className="seg" role="tablist" aria-label={t('inbox.whose')}>
          <button
            role="tab"
            aria-selected={f.scope === 'mine'}
            className={f.scope === 'mine' ? 'on' : ''}
            onClick={() => set({ scope: 'mine' })}
          >
            {t('inbox.mine')}
          </button>
          <button
            role="tab"
            aria-selected={f.scope === 'queues'}
            className={f.scope === 'queues' ? 'on' : ''}
            onClick={() => set({ scope: 'queues' })}
          >
            {t('inbox.myQueues')}
          </button>
        </div>
        <div className="filters">
          <label className="sr-only" htmlFor="f-channel">
            {t('inbox.channel')}
          </label>
          <select id="f-channel" value={f.channel} onChange={(e) => set({ channel: e.target.value as Filters['channel'] })}>
            <option value="">{t('inbox.channels')}</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {channelLabel(c)}
              </option>
            ))}
          </select>
          <label className="sr-only" htmlFor="f-queue">
            {t('inbox.queue')}
          </label>
          <select id="f-queue" value={f.queue} onChange={(e) => set({ queue: e.target.value })}>
            <option value="">{t('inbox.queues')}</option>
            {queues.map((q) => (
              <option key={q} value={q}>
                {q}
              </option>
            ))}
          </select>
          <label className="sr-only" htmlFor="f-status">
            {t('inbox.status')}
          </label>
          <select id="f-status" value={f.status} onChange={(e) => set({ status: e.target.value as Filters['status'] })}>
            <option value="open">{t('inbox.open')}</option>
            <option value="waiting">{t('status.waiting')}</option>
            <option value="assigned">{t('status.assigned')}</option>
            <option value="pending">{t('status.pending')}</option>
            <option value="snoozed">{t('status.snoozed')}</option>
            <option value="resolved">{t('status.resolved')}</option>
            <option value="all">{t('inbox.all')}</option>
          </select>
          <label className="sr-only" htmlFor="f-tag">
            {t('inbox.tag')}
          </label>
          <select id="f-tag" value={f.tag} onChange={(e) => set({ tag: e.target.value })}>
            <option value="">{t('inbox.tags')}</option>
            {tags.map((tag) => (
              <option key={tag} value={tag}>
                {tag}
              </option>
            ))}
          </select>
          <label className="sr-only" htmlFor="f-sort">
            {t('inbox.sort')}
          </label>
          <select id="f-sort" value={f.sort} onChange={(e) => set({ sort: e.target.value as Filters['sort'] })}>
            <option value="recent">{t('inbox.sortRecent')}</option>
            <option value="due">{t('inbox.sortDue')}</option>
          </select>
        </div>
      </div>
      <ul className="conv-list" aria-label={t('inbox.conversations')}>
        {list.length === 0 && (
          <li>
            <Empty title={f.scope === 'mine' ? t('inbox.emptyMine') : t('inbox.empty')}>
              {f.scope === 'mine' ? t('inbox.emptyMineHint') : t('inbox.emptyHint')}
            </Empty>
          </li>
        )}
        {list.map((c) => {
          const unread = state.unread[c.id] ?? 0;
          const selected = state.selectedId === c.id;
          return (
            <li key={c.id}>
              <button
                className={`conv ${selected ? 'selected' : ''} ${unread ? 'unread' : ''}`}
                aria-current={selected ? 'true' : undefined}
                onClick={() => dispatch({ type: 'select', id: c.id })}
                data-testid="conversation-item"
              >
                <ChannelBadge channel={c.channel} />
                <span className="conv-main">
                  <span className="conv-top">
                    <NumberBadge number={c.number} />
                    <bdi className="conv-name">{contactLabel(c.contact)}</bdi>
                    <span className="conv-time">{timeAgo(c.lastMessageAt)}</span>
                  </span>
                  <span className="conv-sub">
                    {c.subject ? <bdi className="conv-subject">{c.subject}</bdi> : <span className="muted">{c.queue}</span>}
                    <StatusPill status={c.status} />
                    <DueBadge conversation={c} />
                    <TagChips tags={c.tags} />
                    {unread > 0 && (
                      <span className="unread-badge" aria-label={t('inbox.unread', { count: unread })}>
                        {unread}
                      </span>
                    )}
                  </span>
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
