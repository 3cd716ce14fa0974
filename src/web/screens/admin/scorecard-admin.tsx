import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ZScorecard } from '../../../core/quality/scorecard-schema.js';
import { api } from '../../api.js';
import type { ScorecardCriterion } from '../../types.js';
import { FormError, Section } from './admin-bits.js';
import { AdminTable } from './admin-table.js';
import { useValidatedForm } from './validated-form.js';

/** A criterion being edited; `id` keeps React's rows steady while keys are typed, `auto` derives the key from the label. */
type Draft = ScorecardCriterion & { id: number; auto: boolean };
let nextId = 1;
const draftOf = (c: ScorecardCriterion): Draft => ({ ...c, id: nextId++, auto: false });
/** "Greeting and tone" → "greeting-and-tone": the key the API accepts (a letter first, at most 40). */
const keyOf = (label: string) =>
  label
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '')
    .slice(0, 40);

/**
 * The quality scorecard (admins): the criteria every review scores 1–5, in the order reviewers
 * see them. Checked with the server's own schema before `PUT /api/scorecard`.
 */
export function ScorecardAdmin() {
  const { t } = useTranslation();
  const [saved, setSaved] = useState<ScorecardCriterion[] | null>(null);
  const [draft, setDraft] = useState<Draft[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  // Errors name rows by position (`criteria.2.key`): the rows as they were checked keep each error with its row when
  // rows move, and drop it once that field is edited.
  const [checked, setChecked] = useState<Draft[]>([]);
  const form = useValidatedForm(ZScorecard);
  const err = form.errors;

  useEffect(() => {
    api.quality.scorecard().then(
      (criteria) => {
        setSaved(criteria);
        setDraft(criteria.map(draftOf));
      },
      (e: Error) => setLoadError(e.message),
    );
  }, []);

  const change = (id: number, patch: Partial<Draft>) => {
    setDone(false);
    setDraft((d) => d.map((c) => (c.id === id ? { ...c, ...patch } : c)));
  };
  const move = (index: number, by: -1 | 1) => {
    setDone(false);
    setDraft((d) => {
      const next = [...d];
      [next[index], next[index + by]] = [next[index + by], next[index]];
      return next;
    });
  };
  function submit(e: FormEvent) {
    e.preventDefault();
    setDone(false);
    const criteria = draft.map(({ key, label }) => ({ key, label }));
    setChecked(draft);
    void form.submit(
      { criteria },
      async (body) => setSaved(await api.quality.setScorecard(body)),
      () => setDone(true),
    );
  }
  const rows = draft.map((c, index) => ({ ...c, index }));
  const fieldError = (c: Draft, field: 'key' | 'label') => {
    const at = checked.findIndex((x) => x.id === c.id);
    return at < 0 || checked[at][field] !== c[field] ? undefined : err[`criteria.${at}.${field}`];
  };

  return (
    <Section
      title={t('admin.tabs.scorecard')}
      actions={
        <button
          type="button"
          className="btn btn-primary btn-sm"
          onClick={() => {
            setDone(false);
            setDraft((d) => [...d, { id: nextId++, key: '', label: '', auto: true }]);
          }}
        >
          {t('admin.scorecard.add')}
        </button>
      }
    >
      <p className="muted small">{t('admin.scorecard.hint')}</p>
      <FormError error={loadError} />
      <form {...form.formProps} onSubmit={submit} aria-label={t('admin.tabs.scorecard')} className="scorecard-form">
        <AdminTable
          label={t('admin.scorecard.criteria')}
          rows={saved ? rows : null}
          rowKey={(c) => String(c.id)}
          testId="criterion-row"
          empty={t('admin.scorecard.empty')}
          columns={[
            { header: t('admin.scorecard.order'), cell: (c) => c.index + 1 },
            {
              header: t('admin.scorecard.label'),
              cell: (c) => (
                <CellInput
                  label={t('admin.scorecard.labelOf', { n: c.index + 1 })}
                  value={c.label}
                  error={fieldError(c, 'label')}
                  onChange={(label) => change(c.id, c.auto ? { label, key: keyOf(label) } : { label })}
                />
              ),
            },
            {
              header: t('admin.scorecard.key'),
              cell: (c) => (
                <CellInput
                  label={t('admin.scorecard.keyOf', { n: c.index + 1 })}
                  value={c.key}
                  error={fieldError(c, 'key')}
                  onChange={(key) => change(c.id, { key, auto: false })}
                  code
                />
              ),
            },
          ]}
          actions={(c) => {
            const name = c.label || t('admin.scorecard.criterionN', { n: c.index + 1 });
            return (
              <>
                <button
                  type="button"
                  className="btn btn-sm"
                  disabled={c.index === 0}
                  onClick={() => move(c.index, -1)}
                  aria-label={t('admin.scorecard.moveUpNamed', { name })}
                >
                  {t('admin.scorecard.moveUp')}
                </button>
                <button
                  type="button"
                  className="btn btn-sm"
                  disabled={c.index === draft.length - 1}
                  onClick={() => move(c.index, 1)}
                  aria-label={t('admin.scorecard.moveDownNamed', { name })}
                >
                  {t('admin.scorecard.moveDown')}
                </button>
                <button
                  type="button"
                  className="btn btn-sm"
                  onClick={() => {
                    setDone(false);
                    setDraft((d) => d.filter((x) => x.id !== c.id));
                  }}
                  aria-label={t('admin.scorecard.removeNamed', { name })}
                >
                  {t('common.remove')}
                </button>
              </>
            );
          }}
        />
        <FormError error={err.criteria ?? form.formError} />
        <p role="status" className="muted small">
          {done ? t('admin.scorecard.saved') : ''}
        </p>
        <div className="form-actions">
          <button className="btn btn-primary" disabled={form.busy || !saved}>
            {t('admin.scorecard.save')}
          </button>
          <button
            type="button"
            className="btn"
            disabled={!saved}
            onClick={() => {
              setDone(false);
              setDraft((saved ?? []).map(draftOf));
            }}
          >
            {t('admin.scorecard.undo')}
          </button>
        </div>
      </form>
    </Section>
  );
}

/** An input inside a table cell: labelled for screen readers, its error under it and tied to it. */
function CellInput({
  label,
  value,
  error,
  onChange,
  code,
}: {
  label: string;
  value: string;
  error?: string;
  onChange: (v: string) => void;
  code?: boolean;
}) {
  const errorId = useId();
  return (
    <div className="cell-field">
      <input
        aria-label={label}
        value={value}
        className={code ? 'mono' : undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errorId : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {error && (
        <span id={errorId} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}
