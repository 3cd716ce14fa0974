import { useEffect, useRef, useState, type Dispatch, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { IDENTITY_FOR_CHANNEL } from '../../../../core/channel-identity.js';
import { api } from '../../../api.js';
import { loadDraft, saveDraft } from '../../../drafts.js';
import { channelLabel, contactLabel } from '../../../format.js';
import type { DeskAction } from '../../../state/desk.js';
import type { Agent, CannedResponse, ConversationDetail } from '../../../types.js';
import { fillFor, searchCanned, slashQuery, useCanned } from './use-canned.js';
import { readableError } from '../../../readable-error.js';
import { useSmsSize } from './use-sms-size.js';

/**
 * Reply (or internal note) box under the timeline, with canned responses: `/` and a few letters, or the dropdown.
 * Mounted once per conversation (keyed by its id): its draft is kept per conversation and restored on return.
 */
export function Composer({
  detail,
  me,
  mine,
  canReply: allowedToReply,
  dispatch,
}: {
  detail: ConversationDetail;
  me: Agent | null;
  mine: boolean;
  /** The server would take a reply from this agent (src/core/conversations/send-reply.ts); notes are always open. */
  canReply: boolean;
  dispatch: Dispatch<DeskAction>;
}) {
  const { t } = useTranslation();
  const c = detail.conversation;
  const [text, setText] = useState(() => loadDraft(c.id));
  // A call has no text channel to answer on: notes here, the phone panel to call back.
  const isCall = c.channel === 'voice';
  const canReply = !isCall && allowedToReply;
  const [mode, setMode] = useState<'reply' | 'note'>(canReply ? 'reply' : 'note');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLTextAreaElement>(null);
  const optedOut = detail.contact.identities.some((i) => i.optedOut && i.kind === IDENTITY_FOR_CHANNEL[c.channel]);
  const canned = useCanned(detail);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState(false);
  const query = slashQuery(text);
  const suggestions = query !== null && !dismissed ? searchCanned(canned, query) : [];
  const open = suggestions.length > 0;
  useEffect(() => saveDraft(c.id, text), [c.id, text]);
  // Taking the conversation (or losing it) while it is open switches what the composer sends.
  useEffect(() => setMode(canReply ? 'reply' : 'note'), [canReply]);
  const sms = useSmsSize(text, c.channel === 'sms' && mode === 'reply');
  const tooLong = !!sms?.tooLong;

  const fallback = { contact: t('composer.fallbackContact'), agent: t('composer.fallbackAgent') };
  const fill = (x: CannedResponse) => fillFor(x, detail, me?.name, fallback);

  /** Replaces the `/words` being typed with the response (or appends it, from the dropdown). */
  function insert(x: CannedResponse, fromSlash: boolean) {
    setText((current) => {
      if (fromSlash) return current.replace(/(^|\n)\/[^\n]*$/, (_m, nl: string) => nl + fill(x));
      return (current ? current + ' ' : '') + fill(x);
    });
    setActive(0);
    ref.current?.focus();
  }

  async function send(e?: FormEvent) {
    e?.preventDefault();
    if (!text.trim() || busy || tooLong) return;
    setBusy(true);
    setError(null);
    try {
      const message = await api.reply(c.id, text.trim(), mode === 'note');
      dispatch({ type: 'message.created', conversationId: c.id, message });
      setText('');
      // A note is an aside: the next thing typed is a reply again.
      if (canReply) setMode('reply');
    } catch (err) {
      setError(readableError(err, t));
    } finally {
      setBusy(false);
      ref.current?.focus();
    }
  }
  const onKey = (e: KeyboardEvent) => {
    if (open) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const step = e.key === 'ArrowDown' ? 1 : -1;
        setActive((i) => (i + step + suggestions.length) % suggestions.length);
        return;
      }
      if ((e.key === 'Enter' && !e.ctrlKey && !e.metaKey) || e.key === 'Tab') {
        e.preventDefault();
        insert(suggestions[Math.min(active, suggestions.length - 1)], true);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        setDismissed(true);
        return;
      }
    }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send();
  };
  const channelName = channelLabel(c.channel);
  const activeId = open ? `canned-option-${suggestions[Math.min(active, suggestions.length - 1)].id}` : undefined;

  return (
    <form className={`composer ${mode === 'note' ? 'composer-note' : ''}`} onSubmit={send} aria-label={t('composer.form')}>
      <div className="composer-tabs">
        <div className="seg seg-sm" role="tablist" aria-label={t('composer.type')}>
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'reply'}
            className={mode === 'reply' ? 'on' : ''}
            onClick={() => setMode('reply')}
            disabled={!canReply}
            title={isCall ? t('composer.callBackHint') : canReply ? undefined : t('composer.notMineHint')}
          >
            {t('composer.reply')}
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'note'}
            className={mode === 'note' ? 'on' : ''}
            onClick={() => setMode('note')}
          >
            {t('composer.note')}
          </button>
        </div>
        <label className="sr-only" htmlFor="canned">
          {t('composer.canned')}
        </label>
        <select
          id="canned"
          className="canned"
          value=""
          onChange={(e) => {
            const x = canned.find((y) => y.id === e.target.value);
            if (x) insert(x, false);
          }}
        >
          <option value="">{t('composer.cannedPlaceholder')}</option>
          {canned.map((x) => (
            <option key={x.id} value={x.id}>
              {x.title}
            </option>
          ))}
        </select>
        {!mine && <span className="hint">{allowedToReply ? t('composer.notMine') : t('composer.notesOnly')}</span>}
        {isCall && <span className="hint">{t('composer.callBack')}</span>}
        {optedOut && mode === 'reply' && <span className="hint hint-warn">{t('composer.optedOut', { channel: channelName })}</span>}
      </div>
      <label className="sr-only" htmlFor="composer">
        {mode === 'note' ? t('composer.note') : t('composer.replyBy', { channel: channelName })}
      </label>
      <div className="composer-field">
        <textarea
          id="composer"
          ref={ref}
          dir="auto"
          rows={3}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setDismissed(false);
            setActive(0);
          }}
          onKeyDown={onKey}
          placeholder={
            mode === 'note'
              ? t('composer.notePlaceholder')
              : t('composer.replyPlaceholder', {
                  contact: contactLabel({ name: detail.contact.name, address: detail.contact.identities[0]?.value }),
                  channel: channelName,
                })
          }
          aria-keyshortcuts="Alt+R"
          role="combobox"
          aria-expanded={open}
          aria-controls="canned-suggestions"
          aria-autocomplete="list"
          aria-activedescendant={activeId}
          aria-describedby="composer-help"
          aria-invalid={tooLong || undefined}
        />
        {open && (
          <ul id="canned-suggestions" className="canned-suggestions" role="listbox" aria-label={t('composer.suggestions')}>
            {suggestions.map((x, i) => (
              <li
                key={x.id}
                id={`canned-option-${x.id}`}
                role="option"
                aria-selected={i === active}
                className={i === active ? 'on' : ''}
                onMouseDown={(e) => {
                  e.preventDefault();
                  insert(x, true);
                }}
              >
                <strong>{x.title}</strong>
                <span className="muted small">{fill(x)}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="composer-foot">
        {error ? (
          <span className="form-error" role="alert">
            {error}
          </span>
        ) : tooLong ? (
          <span className="form-error" role="alert" id="composer-help" data-testid="sms-too-long">
            {t('composer.smsTooLong', { chars: sms.characters, max: sms.limit })}
          </span>
        ) : (
          <span className="muted small" id="composer-help">
            <kbd>Ctrl</kbd> + <kbd>Enter</kbd> {t('composer.toSend')} · <kbd>/</kbd> {t('composer.slashHint')}
            {sms && text && (
              <>
                {' · '}
                <span data-testid="sms-count" title={t('composer.smsEncoding', { encoding: sms.encoding })}>
                  {t('composer.smsCount', { chars: sms.characters, max: sms.limit, segments: sms.segments })}
                </span>
              </>
            )}
          </span>
        )}
        <button className={`btn ${mode === 'note' ? 'btn-note' : 'btn-primary'}`} disabled={busy || !text.trim() || tooLong}>
          {mode === 'note' ? t('composer.addNote') : t('composer.send', { channel: channelName })}
        </button>
      </div>
    </form>
  );
}
