import { useState, type Dispatch } from 'react';
import { formatDateTime } from '../../../format.js';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api.js';
import { reportError } from '../../../notices.js';
import type { DeskAction } from '../../../state/desk.js';
import type { Conversation } from '../../../types.js';

/** When a snooze choice ends: in an hour, or tomorrow at 09:00 local time. */
function snoozeUntil(choice: 'hour' | 'tomorrow', now = new Date()): string {
  if (choice === 'hour') return new Date(now.getTime() + 3600_000).toISOString();
  const t = new Date(now);
  t.setDate(t.getDate() + 1);
  t.setHours(9, 0, 0, 0);
  return t.toISOString();
}

/**
 * The request controls of a conversation the agent holds: wait on the contact (pending), put it
 * aside (snooze), take it back; and its tags. Changes come back through `conversation.updated` too.
 */
export function RequestActions({
  conversation: c,
  canChangeStatus,
  dispatch,
}: {
  conversation: Conversation;
  canChangeStatus: boolean;
  dispatch: Dispatch<DeskAction>;
}) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const patch = async (body: Parameters<typeof api.patchConversation>[1], what: string) => {
    setBusy(true);
    try {
      const updated = await api.patchConversation(c.id, body);
      dispatch({ type: 'conversation.updated', conversation: updated });
    } catch (err) {
      reportError(what)(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="request-actions">
      {canChangeStatus && c.status === 'assigned' && (
        <>
          <button className="btn btn-sm" disabled={busy} onClick={() => patch({ status: 'pending' }, t('requests.pendingFailed'))}>
            {t('requests.pending')}
          </button>
          <label className="sr-only" htmlFor="snooze-choice">
            {t('requests.snooze')}
          </label>
          <select
            id="snooze-choice"
            className="btn-sm"
            value=""
            disabled={busy}
            onChange={(e) =>
              e.target.value &&
              patch({ status: 'snoozed', snoozedUntil: snoozeUntil(e.target.value as 'hour' | 'tomorrow') }, t('requests.snoozeFailed'))
            }
          >
            <option value="">{t('requests.snoozeChoose')}</option>
            <option value="hour">{t('requests.snoozeHour')}</option>
            <option value="tomorrow">{t('requests.snoozeTomorrow')}</option>
          </select>
        </>
      )}
      {canChangeStatus && (c.status === 'pending' || c.status === 'snoozed') && (
        <button className="btn btn-sm" disabled={busy} onClick={() => patch({ status: 'assigned' }, t('requests.takeBackFailed'))}>
          {t('requests.takeBack')}
        </button>
      )}
      {c.status === 'snoozed' && c.snoozedUntil && (
        <span className="muted small">{t('requests.until', { time: formatDateTime(c.snoozedUntil) })}</span>
      )}
      <TagEditor tags={c.tags} busy={busy} onChange={(tags) => patch({ tags }, t('requests.tagsFailed'))} />
    </div>
  );
}

/** Tags as removable chips plus a field that adds one on Enter (or several separated by commas). */
function TagEditor({ tags, busy, onChange }: { tags: string[]; busy: boolean; onChange: (tags: string[]) => void }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState('');
  const add = () => {
    const more = draft
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean);
    setDraft('');
    if (more.length) onChange([...new Set([...tags, ...more])]);
  };
  return (
    <span className="tag-editor" aria-label={t('requests.tags')}>
      {tags.map((tag) => (
        <span key={tag} className="tag">
          {tag}
          <button
            className="tag-x"
            aria-label={t('requests.removeTag', { tag })}
            disabled={busy}
            onClick={() => onChange(tags.filter((x) => x !== tag))}
          >
            ×
          </button>
        </span>
      ))}
      <input
        className="tag-input"
        aria-label={t('requests.addTag')}
        placeholder={t('requests.tagPlaceholder')}
        value={draft}
        disabled={busy}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            add();
          }
        }}
      />
    </span>
  );
}
