import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import type { QueueStats } from '../../types.js';
import { Field } from './validated-form.js';

/** Loads a list and reloads it on demand; `error` is the server's message. */
export function useList<T>(load: () => Promise<T[]>) {
  const [items, setItems] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    load().then(
      (list) => {
        setItems(list);
        setError(null);
      },
      (err: Error) => setError(err.message),
    );
  }, [load]);
  useEffect(reload, [reload]);
  return { items, error, reload };
}

export const loadQueues = () => api.queues();
export function useQueues() {
  return useList<QueueStats>(loadQueues).items ?? [];
}

/** Runs a change and keeps the server's refusal for the form to show. */
export function useSubmit() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<unknown>, after?: () => void) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      after?.();
      return true;
    } catch (err) {
      setError((err as Error).message);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run, setError };
}

export function FormError({ error }: { error: string | null }) {
  return error ? (
    <p className="form-error" role="alert" tabIndex={-1}>
      {error}
    </p>
  ) : null;
}

export function Section({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  const id = `admin-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section className="admin-section" aria-labelledby={id}>
      <div className="admin-head">
        <h2 id={id}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** "Every queue" or one queue, for content scoped to queues. */
export function QueueSelect({
  value,
  onChange,
  label,
  error,
}: {
  value: string | null;
  onChange: (v: string | null) => void;
  label: string;
  error?: string;
}) {
  const { t } = useTranslation();
  const queues = useQueues();
  return (
    <Field label={label} error={error}>
      <select value={value ?? ''} onChange={(e) => onChange(e.target.value || null)}>
        <option value="">{t('admin.everyQueue')}</option>
        {queues.map((q) => (
          <option key={q.key} value={q.key}>
            {q.name} ({q.key})
          </option>
        ))}
      </select>
    </Field>
  );
}
