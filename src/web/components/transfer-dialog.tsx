import { useState, type Dispatch, type FormEvent } from 'react';
import { api } from '../api.js';
import type { DeskAction } from '../state/desk.js';
import type { Channel, TransferTarget } from '../types.js';
import type { TFunction } from 'i18next';

import { Modal } from './modal.js';
import { useTransferTargets } from './use-transfer-targets.js';
import { readableError } from '../readable-error.js';
import { useTranslation } from 'react-i18next';

/**
 * Why an agent cannot take it, as src/core/conversations/transfer-targets.ts words it, said in the
 * desk's language (an unknown reason keeps the server's words).
 */
const REASONS: Record<string, string> = {
  Offline: 'transfer.reasons.offline',
  Away: 'transfer.reasons.away',
  'Serves no queue': 'transfer.reasons.noQueue',
  'On a call': 'transfer.reasons.onCall',
  'Wrapping up a call': 'transfer.reasons.wrapUp',
};
const CAPACITY: Record<string, Channel> = { calls: 'voice', texts: 'sms', email: 'email', Slack: 'slack' };

function reasonText(reason: string, t: TFunction): string {
  if (REASONS[reason]) return t(REASONS[reason]);
  const full = /^At capacity for (.+)$/.exec(reason);
  if (full && CAPACITY[full[1]]) return t('transfer.reasons.atCapacity', { channel: t(`channelPlurals.${CAPACITY[full[1]]}`) });
  return reason;
}

/** Moves a conversation (or, with `submit`, a live call) to a queue or an agent. Used by the desk, the softphone and the wallboard. */
export function TransferDialog(props: {
  id: string;
  currentQueue: string;
  onClose: () => void;
  dispatch?: Dispatch<DeskAction>;
  title?: string;
  /** Replaces the conversation transfer (a live call is moved through the voice API). */
  submit?: (target: TransferTarget) => Promise<unknown>;
}) {
  const { id, currentQueue, onClose, dispatch } = props;
  const { t: tr } = useTranslation();
  const { queues, agents } = useTransferTargets(id);
  const [target, setTarget] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!target) return;
    const [kind, value] = target.split(':') as ['queue' | 'agent', string];
    try {
      const t: TransferTarget = {
        ...(kind === 'queue' ? { queue: value } : { agentId: value }),
        ...(note.trim() ? { note: note.trim() } : {}),
      };
      if (props.submit) await props.submit(t);
      else {
        // (Not `dispatch?.(… await api.transfer …)`: an optional call skips evaluating its arguments.)
        const conversation = await api.transfer(id, t);
        dispatch?.({ type: 'conversation.updated', conversation });
      }
      onClose();
    } catch (err) {
      setError(readableError(err, tr));
    }
  }
  return (
    <Modal title={props.title ?? tr('transfer.title')} onClose={onClose}>
      <form onSubmit={submit} className="stack">
        <label>
          {tr('transfer.to')}
          <select value={target} onChange={(e) => setTarget(e.target.value)} autoFocus required>
            <option value="">{tr('transfer.choose')}</option>
            <optgroup label={tr('transfer.queues')}>
              {queues.map((q) => (
                <option key={q.key} value={`queue:${q.key}`} disabled={q.key === currentQueue}>
                  {q.name} ({q.key === currentQueue ? tr('transfer.currentQueue') : tr('transfer.free', { count: q.agentsAvailable })})
                </option>
              ))}
            </optgroup>
            <optgroup label={tr('transfer.agents')}>
              {agents.map((a) => (
                // Who cannot take it now is listed with the reason, and cannot be picked.
                <option key={a.id} value={`agent:${a.id}`} disabled={!a.selectable}>
                  {a.name} — {a.reason ? reasonText(a.reason, tr) : tr('transfer.available')}
                </option>
              ))}
            </optgroup>
          </select>
        </label>
        <label>
          {tr('transfer.note')}
          <textarea value={note} onChange={(e) => setNote(e.target.value)} rows={2} maxLength={1000} dir="auto" />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onClose}>
            {tr('common.cancel')}
          </button>
          <button className="btn btn-primary" disabled={!target}>
            {tr('transfer.submit')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
