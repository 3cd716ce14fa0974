import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError, useQueues, useSubmit } from '../admin/admin-bits.js';
import type { Incident } from '../../types.js';

export type IncidentDraft = { title: string; publicMessage: { en: string; es?: string }; queues: string[] };

/**
 * Declaring (no `incident`) or changing an open incident: its title, the public message callers
 * and texters get (English, Spanish optional) and the queues it concerns (none ticked: every queue).
 */
export function IncidentForm({
  incident,
  initial,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  incident?: Incident;
  initial?: Partial<IncidentDraft>;
  submitLabel: string;
  onSubmit: (draft: IncidentDraft) => Promise<unknown>;
  onCancel?: () => void;
}) {
  const { t } = useTranslation();
  const queues = useQueues();
  const [title, setTitle] = useState(incident?.title ?? initial?.title ?? '');
  const [en, setEn] = useState(incident?.publicMessage.en ?? initial?.publicMessage?.en ?? '');
  const [es, setEs] = useState(incident?.publicMessage.es ?? initial?.publicMessage?.es ?? '');
  const [chosen, setChosen] = useState<string[]>(incident?.queues ?? initial?.queues ?? []);
  const submit = useSubmit();
  const save = (e: FormEvent) => {
    e.preventDefault();
    void submit.run(() => onSubmit({ title, publicMessage: { en, ...(es.trim() ? { es } : {}) }, queues: chosen }));
  };
  const prefix = incident ? `incident-${incident.id}` : 'incident-new';
  return (
    <form className="incident-form" onSubmit={save} aria-label={submitLabel}>
      <label>
        {t('incidents.title')}
        <input required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
      </label>
      <span className="muted small">{t('incidents.titleHint')}</span>
      <label>
        {t('incidents.messageEn')}
        <textarea required maxLength={1000} value={en} onChange={(e) => setEn(e.target.value)} />
      </label>
      <label>
        {t('incidents.messageEs')}
        <textarea maxLength={1000} value={es} onChange={(e) => setEs(e.target.value)} />
      </label>
      <fieldset className="queues" aria-describedby={`${prefix}-queues-hint`}>
        <legend className="small">{t('incidents.queuesLegend')}</legend>
        {queues.map((q) => (
          <label key={q.key} className="inline">
            <input
              type="checkbox"
              checked={chosen.includes(q.key)}
              onChange={(e) => setChosen((list) => (e.target.checked ? [...list, q.key] : list.filter((k) => k !== q.key)))}
            />
            {q.name || q.key}
          </label>
        ))}
        <span id={`${prefix}-queues-hint`} className="muted small">
          {t('incidents.queuesHint')}
        </span>
      </fieldset>
      <FormError error={submit.error} />
      <div className="incident-actions">
        <button className="btn btn-primary" type="submit" disabled={submit.busy}>
          {submitLabel}
        </button>
        {onCancel && (
          <button className="btn" type="button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
