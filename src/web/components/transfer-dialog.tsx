import { useState, type Dispatch, type FormEvent } from 'react';
import { api } from '../api.js';
import type { DeskAction } from '../state/desk.js';
import type { TransferTarget } from '../types.js';
import { Modal } from './modal.js';
import { useTransferTargets } from './use-transfer-targets.js';
import { readableError } from '../readable-error.js';
import { useTranslation } from 'react-i18next';

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
    <Modal title={props.title ?? 'Transfer conversation'} onClose={onClose}>
      <form onSubmit={submit} className="stack">
        <label>
          Transfer to
          <select value={target} onChange={(e) => setTarget(e.target.value)} autoFocus required>
            <option value="">Choose a queue or an agent…</option>
            <optgroup label="Queues">
              {queues.map((q) => (
                <option key={q.key} value={`queue:${q.key}`} disabled={q.key === currentQueue}>
                  {q.name} ({q.key === currentQueue ? 'current queue' : `${q.agentsAvailable} free`})
                </option>
              ))}
            </optgroup>
            <optgroup label="Agents">
              {agents.map((a) => (
                // Who cannot take it now is listed with the reason, and cannot be picked.
                <option key={a.id} value={`agent:${a.id}`} disabled={!a.selectable}>
                  {a.name} — {a.reason ?? 'Available'}
                </option>
              ))}
            </optgroup>
          </select>
        </label>
        <label>
          Note for the receiver (optional)
          <textarea value={note} onChange={(e) => setNote(e.target.value)} rows={2} maxLength={1000} dir="auto" />
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
