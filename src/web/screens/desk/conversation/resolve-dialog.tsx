import { useEffect, useState, type Dispatch, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api.js';
import { Modal } from '../../../components/modal.js';
import type { DeskAction } from '../../../state/desk.js';
import type { Disposition } from '../../../types.js';
import { readableError } from '../../../readable-error.js';

/** Closes a conversation with one of its queue's disposition codes (from the server) and an optional wrap-up note. */
export function ResolveDialog({
  id,
  queue,
  onClose,
  dispatch,
}: {
  id: string;
  queue: string;
  onClose: () => void;
  dispatch: Dispatch<DeskAction>;
}) {
  const { t } = useTranslation();
  const [codes, setCodes] = useState<Disposition[] | null>(null);
  const [disposition, setDisposition] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.dispositions({ queue }).then(
      (list) => {
        setCodes(list);
        setDisposition((d) => d || list[0]?.code || '');
      },
      (err: Error) => setError(err.message),
    );
  }, [queue]);
  async function submit(e: FormEvent) {
    e.preventDefault();
    try {
      const conversation = await api.resolve(id, disposition, note.trim());
      dispatch({ type: 'conversation.updated', conversation });
      onClose();
    } catch (err) {
      setError(readableError(err, t));
    }
  }
  return (
    <Modal title={t('resolve.title')} onClose={onClose}>
      <form onSubmit={submit} className="stack">
        <label>
          {t('resolve.disposition')}
          <select value={disposition} onChange={(e) => setDisposition(e.target.value)} autoFocus disabled={!codes}>
            {(codes ?? []).map((d) => (
              <option key={d.id} value={d.code}>
                {d.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>
            {t('resolve.note')} <span className="muted">{t('resolve.noteHint')}</span>
          </span>
          <textarea dir="auto" rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="modal-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button className="btn btn-primary" disabled={!codes}>
            {t('resolve.submit')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
