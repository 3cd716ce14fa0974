import { useEffect, useRef, useState, type Dispatch, type FormEvent, type KeyboardEvent } from 'react';
import { IDENTITY_FOR_CHANNEL } from '../../../../core/channel-identity.js';
import { api } from '../../../api.js';
import { CANNED, fillCanned } from '../../../canned.js';
import { channelLabel, contactLabel } from '../../../format.js';
import type { DeskAction } from '../../../state/desk.js';
import type { Agent, ConversationDetail } from '../../../types.js';

/** Reply (or internal note) box under the timeline, with canned responses. */
export function Composer({
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
  const optedOut = detail.contact.identities.some((i) => i.optedOut && i.kind === IDENTITY_FOR_CHANNEL[c.channel]);
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
