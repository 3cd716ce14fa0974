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
  const agentName = (id: string | null) => agents.find((a) => a.id === id)?.name ?? '—';
  return (
    <section className="card wb-open" aria-label="Open conversations">
      <h2 className="card-title">
        Open conversations <span className="count">{conversations.length}</span>
      </h2>
      {conversations.length === 0 ? (
        <Empty title="All clear">No open conversations.</Empty>
      ) : (
        <table className="table table-compact">
          <thead>
            <tr>
              <th scope="col">Contact</th>
              <th scope="col">Queue</th>
              <th scope="col">Status</th>
              <th scope="col">Agent</th>
              <th scope="col">Age</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
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
                    Reassign
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
