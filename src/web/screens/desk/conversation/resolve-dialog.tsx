import { useState, type Dispatch, type FormEvent } from 'react';
import { api } from '../../../api.js';
import { DISPOSITIONS } from '../../../canned.js';
import { Modal } from '../../../components/modal.js';
import type { DeskAction } from '../../../state/desk.js';

/** Closes a conversation with a disposition code and an optional wrap-up note. */
export function ResolveDialog({ id, onClose, dispatch }: { id: string; onClose: () => void; dispatch: Dispatch<DeskAction> }) {
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
