import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { CANNED_VARIABLES } from '../../../core/content/fill-canned.js';
import { api } from '../../api.js';
import type { CannedResponse } from '../../types.js';
import { ZCannedResponse, ZUpdateCannedResponse } from '../../../core/content/content-schemas.js';
import { FormError, QueueSelect, Section, useList, useSubmit } from './admin-bits.js';
import { AdminTable } from './admin-table.js';
import { Field, useValidatedForm } from './validated-form.js';

const loadCanned = () => api.cannedResponses();

/** Canned responses: global or per queue, a variant per language, with variables. */
export function CannedAdmin() {
  const { t } = useTranslation();
  const { items, error, reload } = useList(loadCanned);
  const [editing, setEditing] = useState<CannedResponse | 'new' | null>(null);
  const actions = useSubmit();
  return (
    <Section
      title={t('admin.tabs.canned')}
      actions={
        <button className="btn btn-primary btn-sm" onClick={() => setEditing('new')}>
          {t('admin.canned.add')}
        </button>
      }
    >
      <FormError error={error ?? actions.error} />
      {editing && (
        <CannedForm
          key={editing === 'new' ? 'new' : editing.id}
          item={editing === 'new' ? undefined : editing}
          onDone={() => {
            setEditing(null);
            reload();
          }}
        />
      )}
      <AdminTable
        label={t('admin.tabs.canned')}
        rows={items}
        rowKey={(c) => c.id}
        testId="canned-row"
        columns={[
          { header: t('admin.canned.title'), cell: (c) => <strong>{c.title}</strong> },
          { header: t('admin.queue'), cell: (c) => c.queue ?? t('admin.everyQueue') },
          { header: t('admin.canned.language'), cell: (c) => (c.language ? t(`languages.${c.language}`) : t('admin.canned.anyLanguage')) },
          { header: t('admin.canned.body'), cell: (c) => c.body, className: 'body-cell' },
        ]}
        actions={(c) => {
          const name = `${c.title} (${c.language ?? '—'})`;
          return (
            <>
              <button className="btn btn-sm" onClick={() => setEditing(c)} aria-label={t('admin.editNamed', { name })}>
                {t('admin.edit')}
              </button>
              <button
                className="btn btn-sm"
                onClick={() => void actions.run(() => api.admin.deleteCanned(c.id), reload)}
                aria-label={t('admin.deleteNamed', { name })}
              >
                {t('common.delete')}
              </button>
            </>
          );
        }}
      />
    </Section>
  );
}

function CannedForm({ item, onDone }: { item?: CannedResponse; onDone: () => void }) {
  const { t } = useTranslation();
  const [title, setTitle] = useState(item?.title ?? '');
  const [body, setBody] = useState(item?.body ?? '');
  const [queue, setQueue] = useState<string | null>(item?.queue ?? null);
  const [language, setLanguage] = useState<string>(item?.language ?? '');
  const form = useValidatedForm(item ? ZUpdateCannedResponse : ZCannedResponse);
  const err = form.errors;
  function submit(e: FormEvent) {
    e.preventDefault();
    const data = { title, body, queue, language: (language || null) as 'en' | 'es' | null };
    void form.submit(data, (d) => (item ? api.admin.updateCanned(item.id, d) : api.admin.createCanned(d)), onDone);
  }
  return (
    <form
      className="admin-form"
      onSubmit={submit}
      {...form.formProps}
      aria-label={item ? t('admin.editNamed', { name: item.title }) : t('admin.canned.add')}
    >
      <h3>{item ? t('admin.editNamed', { name: item.title }) : t('admin.canned.add')}</h3>
      <Field label={t('admin.canned.title')} error={err.title}>
        <input value={title} onChange={(e) => setTitle(e.target.value)} />
      </Field>
      <QueueSelect value={queue} onChange={setQueue} label={t('admin.queue')} error={err.queue} />
      <Field label={t('admin.canned.language')} error={err.language}>
        <select value={language} onChange={(e) => setLanguage(e.target.value)}>
          <option value="">{t('admin.canned.anyLanguage')}</option>
          <option value="en">{t('languages.en')}</option>
          <option value="es">{t('languages.es')}</option>
        </select>
      </Field>
      <Field
        className="wide"
        label={t('admin.canned.body')}
        hint={`${t('admin.canned.variables')} ${CANNED_VARIABLES.join(' ')}`}
        error={err.body}
      >
        <textarea rows={4} value={body} onChange={(e) => setBody(e.target.value)} />
      </Field>
      <FormError error={form.formError} />
      <div className="form-actions">
        <button className="btn btn-primary" disabled={form.busy}>
          {t('common.save')}
        </button>
        <button type="button" className="btn" onClick={onDone}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
