import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { i18next } from '../../i18n.js';
import { request } from '../../api.js';
import { reportError } from '../../notices.js';
import { CallPane } from './call-pane.js';
import './sandbox.css';

export type SandboxMessage = {
  id: string;
  channel: 'sms' | 'email' | 'slack' | 'voice';
  direction: 'inbound' | 'outbound';
  contact: string;
  contactName: string | null;
  inbox: string;
  body: string;
  subject: string | null;
  status: string;
  at: string;
};

type PaneChannel = 'sms' | 'email' | 'slack';

const sandboxApi = {
  messages: () => request<{ messages: SandboxMessage[] }>('GET', '/api/sandbox/messages?limit=1000').then((r) => r.messages),
  send: (body: { channel: PaneChannel; from: string; body: string; subject?: string }) =>
    request<{ delivered: unknown }>('POST', '/api/sandbox/inbound', body),
};

/** The people each pane can play; more can be added on the screen. */
const PLAYERS: Record<PaneChannel, string[]> = {
  sms: ['+15555550123', '+15555550142'],
  email: ['maria.lopez@example.org', 'j.chen@example.org'],
  slack: ['Ana Lima', 'Sam Park'],
};

const time = (iso: string) => new Intl.DateTimeFormat(undefined, { timeStyle: 'short' }).format(new Date(iso));

/**
 * `/sandbox` (admins, while the sandbox is on): a phone, a mail client and a
 * Slack user that contact the desk as a donor would. What they send goes in
 * through the real webhooks and SMTP server; what the desk answers shows up
 * here, with its delivery status.
 */
export function SandboxScreen() {
  const [messages, setMessages] = useState<SandboxMessage[]>([]);
  const reload = useCallback(() => sandboxApi.messages().then(setMessages, () => {}), []);
  useEffect(() => {
    void reload();
    const timer = setInterval(() => void reload(), 1000);
    return () => clearInterval(timer);
  }, [reload]);
  return (
    <main className="sandbox" aria-label="Sandbox">
      <p className="sandbox-intro">
        Play a contact: what you send enters through the same webhooks and mail server as the real vendors, and is routed to an available
        agent. Open the desk in another window (or another browser) as that agent to answer. Nothing here reaches a real person.
      </p>
      <div className="sandbox-panes">
        <Pane channel="sms" title="Phone (SMS)" messages={messages} onSent={reload} />
        <Pane channel="email" title="Mail" messages={messages} onSent={reload} />
        <Pane channel="slack" title="Slack" messages={messages} onSent={reload} />
        <CallPane />
      </div>
    </main>
  );
}

function Pane({
  channel,
  title,
  messages,
  onSent,
}: {
  channel: PaneChannel;
  title: string;
  messages: SandboxMessage[];
  onSent: () => Promise<void>;
}) {
  const [players, setPlayers] = useState(PLAYERS[channel]);
  const [who, setWho] = useState(PLAYERS[channel][0]);
  const [text, setText] = useState('');
  const [subject, setSubject] = useState('');
  const [adding, setAdding] = useState('');
  const [busy, setBusy] = useState(false);

  // A Slack user is stored under the id Slack gives them; the sandbox names them on their first message.
  const thread = useMemo(() => {
    const ofChannel = messages.filter((m) => m.channel === channel);
    const ids = new Set(
      channel === 'slack' ? ofChannel.filter((m) => m.contactName === who).map((m) => m.contact.toLowerCase()) : [who.toLowerCase()],
    );
    return ofChannel.filter((m) => ids.has(m.contact.toLowerCase()));
  }, [messages, channel, who]);

  const send = async (body: string) => {
    if (!body.trim()) return;
    setBusy(true);
    try {
      await sandboxApi.send({ channel, from: who, body, ...(channel === 'email' && subject.trim() ? { subject: subject.trim() } : {}) });
      setText('');
      setSubject('');
      await onSent();
    } catch (err) {
      reportError(i18next.t('errors.sandboxDeliver'))(err);
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void send(text);
  };
  const add = (e: FormEvent) => {
    e.preventDefault();
    const v = adding.trim();
    if (!v) return;
    if (!players.includes(v)) setPlayers([...players, v]);
    setWho(v);
    setAdding('');
  };

  return (
    <section className={`sandbox-pane sandbox-${channel}`} aria-label={title}>
      <header className="sandbox-pane-head">
        <h2>{title}</h2>
        <label className="sandbox-who">
          <span>Playing</span>
          <select value={who} onChange={(e) => setWho(e.target.value)} aria-label={`${title}: contact`}>
            {players.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <form onSubmit={add} className="sandbox-add">
          <input
            value={adding}
            onChange={(e) => setAdding(e.target.value)}
            placeholder={channel === 'sms' ? '+1555…' : channel === 'email' ? 'name@example.org' : 'A name'}
            aria-label={`${title}: another contact`}
          />
          <button className="btn btn-sm" type="submit">
            Add
          </button>
        </form>
      </header>
      <ol className="sandbox-thread" aria-label={`${title}: conversation`}>
        {thread.length === 0 && <li className="sandbox-empty">Nothing yet. Write to the desk below.</li>}
        {thread.map((m) => (
          <li key={m.id} className={m.direction === 'inbound' ? 'sbx-bubble sbx-bubble-contact' : 'sbx-bubble sbx-bubble-desk'}>
            {m.subject && <div className="sbx-bubble-subject">{m.subject}</div>}
            <div className="sbx-bubble-body">{m.body}</div>
            <div className="sbx-bubble-meta">
              {m.direction === 'inbound' ? 'you' : 'desk'} · {time(m.at)}
              {m.direction === 'outbound' && channel === 'sms' ? ` · ${m.status}` : ''}
            </div>
          </li>
        ))}
      </ol>
      <form className="sandbox-compose" onSubmit={submit}>
        {channel === 'email' && (
          <input
            value={subject}
            onChange={(e) => setSubject(e.target.value)}
            placeholder="Subject (empty: reply to the last mail)"
            aria-label={`${title}: subject`}
          />
        )}
        <textarea
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={2}
          placeholder={channel === 'sms' ? 'Text message' : channel === 'email' ? 'Mail body' : 'Message the bot'}
          aria-label={`${title}: message`}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && channel !== 'email') {
              e.preventDefault();
              void send(text);
            }
          }}
        />
        <div className="sandbox-actions">
          {channel === 'sms' &&
            ['STOP', 'START', 'HELP'].map((k) => (
              <button key={k} type="button" className="btn btn-sm" disabled={busy} onClick={() => void send(k)}>
                {k}
              </button>
            ))}
          <button className="btn btn-primary btn-sm" type="submit" disabled={busy || !text.trim()}>
            Send
          </button>
        </div>
      </form>
    </section>
  );
}
