import { useEffect, useRef, useState, type Dispatch, type FormEvent, type KeyboardEvent } from 'react';
import { api } from '../api.js';
import { CANNED, DISPOSITIONS, fillCanned } from '../canned.js';
import { channelLabel, contactLabel } from '../format.js';
import type { DeskAction } from '../state/desk.js';
import type { Agent, ConversationDetail, DirectoryAgent, QueueStats } from '../types.js';
import { ChannelBadge, Empty, StatusPill } from './bits.js';
import { Timeline } from './timeline.js';

export function ConversationView({
  me,
  detail,
  loading,
  dispatch,
}: {
  me: Agent | null;
  detail: ConversationDetail | null;
  loading: boolean;
  dispatch: Dispatch<DeskAction>;
}) {
  const [dialog, setDialog] = useState<null | 'resolve' | 'transfer'>(null);
  const open = detail && ['waiting', 'offered', 'assigned'].includes(detail.conversation.status);
  useEffect(() => {
    const r = () => open && setDialog('resolve');
    const t = () => open && setDialog('transfer');
    addEventListener('sb:resolve', r);
    addEventListener('sb:transfer', t);
    return () => {
      removeEventListener('sb:resolve', r);
      removeEventListener('sb:transfer', t);
    };
  }, [open]);
  useEffect(() => setDialog(null), [detail?.conversation.id]);

  if (!detail) {
    return (
      <section className="conversation" aria-label="Conversation">
        {loading ? (
          <div className="loading">Loading…</div>
        ) : (
          <Empty title="No conversation selected">Pick one from the inbox, or accept an incoming offer.</Empty>
        )}
      </section>
    );
  }
  const c = detail.conversation;
  const mine = c.assigneeId === me?.id;
  const contactName = contactLabel({ name: detail.contact.name, address: detail.contact.identities[0]?.value });

  return (
    <section className="conversation" aria-label={`Conversation with ${contactName}`}>
      <header className="conv-header">
        <ChannelBadge channel={c.channel} withLabel />
        <div className="conv-header-main">
          <h1 className="conv-title">{contactName}</h1>
          <div className="conv-header-meta">
            {c.subject && <span className="conv-subject-line">{c.subject}</span>}
            <span>queue: {c.queue}</span>
            <span>via {c.inboxAddress}</span>
            <StatusPill status={c.status} />
            {c.disposition && <span className="pill">{c.disposition}</span>}
          </div>
        </div>
        {open && (
          <div className="conv-actions">
            <button className="btn" onClick={() => setDialog('transfer')} aria-keyshortcuts="Alt+T">
              Transfer
            </button>
            <button className="btn btn-primary" onClick={() => setDialog('resolve')} aria-keyshortcuts="Alt+S">
              Resolve
            </button>
          </div>
        )}
      </header>
      <Timeline
        messages={detail.messages}
        me={me}
        subject={c.subject}
        onRetry={
          open && (mine || me?.role !== 'agent')
            ? async (m) => dispatch({ type: 'message.updated', conversationId: c.id, message: await api.retry(m.id) })
            : undefined
        }
      />
      {open ? (
        <Composer detail={detail} me={me} mine={mine} dispatch={dispatch} />
      ) : (
        <div className="composer-closed muted">This conversation is {c.status}. A new message from the contact opens a new one.</div>
      )}
      {dialog === 'resolve' && <ResolveDialog id={c.id} onClose={() => setDialog(null)} dispatch={dispatch} />}
      {dialog === 'transfer' && (
        <TransferDialog id={c.id} currentQueue={c.queue} onClose={() => setDialog(null)} dispatch={dispatch} meId={me?.id} />
      )}
    </section>
  );
}

function Composer({
  detail,
  me,
  mine,
  dispatch,
}: {
  detail: ConversationDetail;
  me: Agent | null;
  mine: boolean;
  dispatch: Dispatch<DeskAction>;
}) {
  const [text, setText] = useState('');
  const c = detail.conversation;
  // A call has no text channel to answer on: notes here, the phone panel to call back.
  const canReply = c.channel !== 'voice';
  const [mode, setMode] = useState<'reply' | 'note'>(canReply ? 'reply' : 'note');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLTextAreaElement>(null);
  const optedOut = detail.contact.identities.some(
    (i) => i.optedOut && (c.channel === 'sms' ? i.kind === 'phone' : c.channel === 'email' ? i.kind === 'email' : false),
  );
  useEffect(() => {
    setText('');
    setError(null);
    setMode(canReply ? 'reply' : 'note');
  }, [c.id, canReply]);

  async function send(e?: FormEvent) {
    e?.preventDefault();
    if (!text.trim() || busy) return;
    setBusy(true);
    setError(null);
    try {
      const message = await api.reply(c.id, text.trim(), mode === 'note');
      dispatch({ type: 'message.created', conversationId: c.id, message });
      setText('');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
      ref.current?.focus();
    }
  }
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send();
  };
  const channelName = channelLabel(c.channel);

  return (
    <form className={`composer ${mode === 'note' ? 'composer-note' : ''}`} onSubmit={send} aria-label="Reply">
      <div className="composer-tabs">
        <div className="seg seg-sm" role="tablist" aria-label="Message type">
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'reply'}
            className={mode === 'reply' ? 'on' : ''}
            onClick={() => setMode('reply')}
            disabled={!canReply}
            title={canReply ? undefined : 'Call the contact back from the phone panel'}
          >
            Reply
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'note'}
            className={mode === 'note' ? 'on' : ''}
            onClick={() => setMode('note')}
          >
            Internal note
          </button>
        </div>
        <label className="sr-only" htmlFor="canned">
          Canned response
        </label>
        <select
          id="canned"
          className="canned"
          value=""
          onChange={(e) => {
            const canned = CANNED.find((x) => x.id === e.target.value);
            if (canned) setText((t) => (t ? t + ' ' : '') + fillCanned(canned.body, { name: detail.contact.name, agent: me?.name }));
            ref.current?.focus();
          }}
        >
          <option value="">Canned responses…</option>
          {CANNED.map((x) => (
            <option key={x.id} value={x.id}>
              {x.title}
            </option>
          ))}
        </select>
        {!mine && <span className="hint">Not assigned to you</span>}
        {!canReply && <span className="hint">Call back from the phone panel →</span>}
        {optedOut && mode === 'reply' && <span className="hint hint-warn">Contact opted out of {channelLabel(c.channel)}</span>}
      </div>
      <label className="sr-only" htmlFor="composer">
        {mode === 'note' ? 'Internal note' : `Reply by ${channelLabel(c.channel)}`}
      </label>
      <textarea
        id="composer"
        ref={ref}
        rows={3}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKey}
        placeholder={
          mode === 'note'
            ? 'Write a note only agents can see…'
            : `Reply to ${contactLabel({ name: detail.contact.name, address: detail.contact.identities[0]?.value })} by ${channelName}…`
        }
        aria-keyshortcuts="Alt+R"
      />
      <div className="composer-foot">
        {error ? (
          <span className="form-error" role="alert">
            {error}
          </span>
        ) : (
          <span className="muted small">
            <kbd>Ctrl</kbd> + <kbd>Enter</kbd> to send
            {c.channel === 'sms' && mode === 'reply' ? ` · ${text.length} chars, ${Math.max(1, Math.ceil(text.length / 153))} SMS` : ''}
          </span>
        )}
        <button className={`btn ${mode === 'note' ? 'btn-note' : 'btn-primary'}`} disabled={busy || !text.trim()}>
          {mode === 'note' ? 'Add note' : `Send ${channelLabel(c.channel)}`}
        </button>
      </div>
    </form>
  );
}

function ResolveDialog({ id, onClose, dispatch }: { id: string; onClose: () => void; dispatch: Dispatch<DeskAction> }) {
  const [disposition, setDisposition] = useState(DISPOSITIONS[0].code);
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    try {
      const conversation = await api.resolve(id, disposition, note.trim());
      dispatch({ type: 'conversation.updated', conversation });
      onClose();
    } catch (err) {
      setError((err as Error).message);
    }
  }
  return (
    <Modal title="Resolve conversation" onClose={onClose}>
      <form onSubmit={submit} className="stack">
        <label>
          Disposition
          <select value={disposition} onChange={(e) => setDisposition(e.target.value)} autoFocus>
            {DISPOSITIONS.map((d) => (
              <option key={d.code} value={d.code}>
                {d.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>
            Wrap-up note <span className="muted">(optional, internal)</span>
          </span>
          <textarea rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button className="btn btn-primary">Resolve</button>
        </div>
      </form>
    </Modal>
  );
}

export function TransferDialog(props: {
  id: string;
  currentQueue: string;
  onClose: () => void;
  dispatch?: Dispatch<DeskAction>;
  meId?: string;
  title?: string;
  /** Replaces the conversation transfer (a live call is moved through the voice API). */
  submit?: (target: { queue: string } | { agentId: string }) => Promise<unknown>;
}) {
  const { id, currentQueue, onClose, dispatch, meId } = props;
  const [queues, setQueues] = useState<QueueStats[]>([]);
  const [agents, setAgents] = useState<DirectoryAgent[]>([]);
  const [target, setTarget] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.queues().then(setQueues, () => {});
    api.directory().then(
      (a) => setAgents(a.filter((x) => x.id !== meId)),
      () => {},
    );
  }, [meId]);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!target) return;
    const [kind, value] = target.split(':') as ['queue' | 'agent', string];
    try {
      const t = kind === 'queue' ? { queue: value } : { agentId: value };
      if (props.submit) await props.submit(t);
      else {
        // (Not `dispatch?.(… await api.transfer …)`: an optional call skips evaluating its arguments.)
        const conversation = await api.transfer(id, t);
        dispatch?.({ type: 'conversation.updated', conversation });
      }
      onClose();
    } catch (err) {
      setError((err as Error).message);
    }
  }
  return (
    <Modal title={props.title ?? 'Transfer conversation'} onClose={onClose}>
      <form onSubmit={submit} className="stack">
        <label>
          Transfer to
          <select value={target} onChange={(e) => setTarget(e.target.value)} autoFocus required>
            <option value="">Choose a queue or an agent…</option>
            <optgroup label="Queues">
              {queues.map((q) => (
                <option key={q.key} value={`queue:${q.key}`} disabled={q.key === currentQueue}>
                  {q.name} ({q.agentsAvailable} available)
                </option>
              ))}
            </optgroup>
            <optgroup label="Agents">
              {agents.map((a) => (
                <option key={a.id} value={`agent:${a.id}`}>
                  {a.name} — {a.presence}
                </option>
              ))}
            </optgroup>
          </select>
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button className="btn btn-primary" disabled={!target}>
            Transfer
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function Modal({ title, onClose, children }: { title: string; onClose: () => void; children: React.ReactNode }) {
  useEffect(() => {
    const k = (e: globalThis.KeyboardEvent) => e.key === 'Escape' && onClose();
    addEventListener('keydown', k);
    return () => removeEventListener('keydown', k);
  }, [onClose]);
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal" role="dialog" aria-modal="true" aria-label={title} onClick={(e) => e.stopPropagation()}>
        <h2>{title}</h2>
        {children}
      </div>
    </div>
  );
}
