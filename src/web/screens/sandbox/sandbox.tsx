import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
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

const time = (iso: string) => new Intl.DateTimeFormat(i18next.language, { timeStyle: 'short' }).format(new Date(iso));

/**
 * `/sandbox` (admins, while the sandbox is on): a phone, a mail client and a
 * Slack user that contact the desk as a donor would. What they send goes in
 * through the real webhooks and SMTP server; what the desk answers shows up
 * here, with its delivery status.
 */
export function SandboxScreen() {
  const { t } = useTranslation();
  const [messages, setMessages] = useState<SandboxMessage[]>([]);
  const reload = useCallback(() => sandboxApi.messages().then(setMessages, () => {}), []);
  useEffect(() => {
    void reload();
    const timer = setInterval(() => void reload(), 1000);
    return () => clearInterval(timer);
  }, [reload]);
  return (
    <main className="sandbox" aria-label={t('sandbox.label')}>
      <p className="sandbox-intro">{t('sandbox.intro')}</p>
      <div className="sandbox-panes">
        <Pane channel="sms" title={t('sandbox.panes.sms')} messages={messages} onSent={reload} />
        <Pane channel="email" title={t('sandbox.panes.email')} messages={messages} onSent={reload} />
        <Pane channel="slack" title={t('sandbox.panes.slack')} messages={messages} onSent={reload} />
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
  const { t } = useTranslation();
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
          <span>{t('sandbox.playing')}</span>
          <select value={who} onChange={(e) => setWho(e.target.value)} aria-label={t('sandbox.fields.contact', { pane: title })}>
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
            placeholder={t(`sandbox.newContact.${channel}`)}
            aria-label={t('sandbox.fields.another', { pane: title })}
          />
          <button className="btn btn-sm" type="submit">
            {t('common.add')}
          </button>
        </form>
      </header>
      <ol className="sandbox-thread" aria-label={t('sandbox.fields.conversation', { pane: title })}>
        {thread.length === 0 && <li className="sandbox-empty">{t('sandbox.empty')}</li>}
        {thread.map((m) => (
          <li key={m.id} className={m.direction === 'inbound' ? 'sbx-bubble sbx-bubble-contact' : 'sbx-bubble sbx-bubble-desk'}>
            {m.subject && <div className="sbx-bubble-subject">{m.subject}</div>}
            <div className="sbx-bubble-body">{m.body}</div>
            <div className="sbx-bubble-meta">
              {m.direction === 'inbound' ? t('sandbox.you') : t('sandbox.desk')} · {time(m.at)}
              {m.direction === 'outbound' && channel === 'sms'
                ? ` · ${t(`timeline.delivery.${m.status}`, { defaultValue: m.status })}`
                : ''}
            </div>
          </li>
        ))}
      </ol>
      <form className="sandbox-compose" onSubmit={submit}>
        {channel === 'email' && (
          <input
            value={subject}
            onChange={(e) => setSubject(e.target.value)}
            placeholder={t('sandbox.subject')}
            aria-label={t('sandbox.fields.subject', { pane: title })}
          />
        )}
        <textarea
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={2}
          placeholder={t(`sandbox.body.${channel}`)}
          aria-label={t('sandbox.fields.message', { pane: title })}
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
            {t('sandbox.send')}
          </button>
        </div>
      </form>
    </section>
  );
}
