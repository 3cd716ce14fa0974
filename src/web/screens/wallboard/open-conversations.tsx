import { useTranslation } from 'react-i18next';
import { ChannelBadge, Empty, StatusPill } from '../../components/bits.js';
import { contactLabel, timeAgo } from '../../format.js';
import type { Agent, Conversation } from '../../types.js';

/** Every open conversation, oldest work visible at a glance; open one on the desk or reassign it. */
export function OpenConversations({
  conversations,
  agents,
  now,
  onOpen,
  onReassign,
}: {
  conversations: Conversation[];
  agents: Agent[];
  now: number;
  onOpen: (id: string) => void;
  onReassign: (c: Conversation) => void;
}) {
  const { t } = useTranslation();
  const agentName = (id: string | null) => agents.find((a) => a.id === id)?.name ?? '—';
  return (
    <section className="card wb-open" aria-label={t('wallboard.open.title')}>
      <h2 className="card-title">
        {t('wallboard.open.title')} <span className="count">{conversations.length}</span>
      </h2>
      {conversations.length === 0 ? (
        <Empty title={t('wallboard.open.allClear')}>{t('wallboard.open.none')}</Empty>
      ) : (
        <table className="table table-compact">
          <thead>
            <tr>
              <th scope="col">{t('wallboard.open.contact')}</th>
              <th scope="col">{t('wallboard.open.queue')}</th>
              <th scope="col">{t('wallboard.open.status')}</th>
              <th scope="col">{t('wallboard.open.agent')}</th>
              <th scope="col">{t('wallboard.open.age')}</th>
              <th scope="col">
                <span className="sr-only">{t('wallboard.open.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {conversations.map((c) => (
              <tr key={c.id}>
                <td>
                  <button className="link" onClick={() => onOpen(c.id)}>
                    <ChannelBadge channel={c.channel} /> <bdi>{contactLabel(c.contact)}</bdi>
                  </button>
                </td>
                <td>{c.queue}</td>
                <td>
                  <StatusPill status={c.status} />
                </td>
                <td>{agentName(c.assigneeId)}</td>
                <td className="muted">{timeAgo(c.createdAt, now)}</td>
                <td className="num">
                  <button className="btn btn-sm" onClick={() => onReassign(c)}>
                    {t('wallboard.open.reassign')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
