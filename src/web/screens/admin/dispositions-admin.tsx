import { useCallback, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import type { Disposition } from '../../types.js';
import { ZDisposition, ZUpdateDisposition } from '../../../core/content/content-schemas.js';
import { FormError, QueueSelect, Section, useList, useSubmit } from './admin-bits.js';
import { AdminTable } from './admin-table.js';
import { Field, useValidatedForm } from './validated-form.js';

/** Resolution codes: global or per queue; one in use is archived rather than deleted. */
export function DispositionsAdmin() {
  const { t } = useTranslation();
  const load = useCallback(() => api.dispositions({ archived: true }), []);
  const { items, error, reload } = useList(load);
  const actions = useSubmit();
  const [editing, setEditing] = useState<Disposition | 'new' | null>(null);
  return (
    <Section
      title={t('admin.tabs.dispositions')}
      actions={
        <button className="btn btn-primary btn-sm" onClick={() => setEditing('new')}>
          {t('admin.dispositions.add')}
        </button>
      }
    >
      <FormError error={error ?? actions.error} />
      {editing && (
        <DispositionForm
          key={editing === 'new' ? 'new' : editing.id}
          item={editing === 'new' ? undefined : editing}
          onDone={() => {
            setEditing(null);
            reload();
          }}
        />
      )}
      <AdminTable
        label={t('admin.tabs.dispositions')}
        rows={items}
        rowKey={(d) => d.id}
        testId="disposition-row"
        columns={[
          { header: t('admin.dispositions.label'), cell: (d) => <strong>{d.label}</strong> },
          { header: t('admin.dispositions.code'), cell: (d) => <code>{d.code}</code> },
          { header: t('admin.queue'), cell: (d) => d.queue ?? t('admin.everyQueue') },
          {
            header: t('admin.agents.status'),
            cell: (d) =>
              d.archived ? <span className="badge-off">{t('admin.dispositions.archived')}</span> : t('admin.dispositions.live'),
          },
        ]}
        actions={(d) => (
          <>
            <button className="btn btn-sm" onClick={() => setEditing(d)} aria-label={t('admin.editNamed', { name: d.label })}>
              {t('admin.edit')}
            </button>
            {d.archived ? (
              <button
                className="btn btn-sm"
                onClick={() => void actions.run(() => api.admin.updateDisposition(d.id, { archived: false }), reload)}
              >
                {t('admin.dispositions.restore')}
              </button>
            ) : (
              <button
                className="btn btn-sm"
                onClick={() => void actions.run(() => api.admin.deleteDisposition(d.id), reload)}
                aria-label={t('admin.deleteNamed', { name: d.label })}
              >
                {t('common.delete')}
              </button>
            )}
          </>
        )}
      />
      <p className="muted small">{t('admin.dispositions.deleteHint')}</p>
    </Section>
  );
}

function DispositionForm({ item, onDone }: { item?: Disposition; onDone: () => void }) {
  const { t } = useTranslation();
  const [code, setCode] = useState(item?.code ?? '');
  const [label, setLabel] = useState(item?.label ?? '');
  const [queue, setQueue] = useState<string | null>(item?.queue ?? null);
  const form = useValidatedForm(item ? ZUpdateDisposition : ZDisposition);
  const err = form.errors;
  function submit(e: FormEvent) {
    e.preventDefault();
    const data = { code, label, queue };
    void form.submit(data, (d) => (item ? api.admin.updateDisposition(item.id, d) : api.admin.createDisposition(d)), onDone);
  }
  return (
    <form
      className="admin-form"
      onSubmit={submit}
      {...form.formProps}
      aria-label={item ? t('admin.editNamed', { name: item.label }) : t('admin.dispositions.add')}
    >
      <h3>{item ? t('admin.editNamed', { name: item.label }) : t('admin.dispositions.add')}</h3>
      <Field label={t('admin.dispositions.label')} error={err.label}>
        <input value={label} onChange={(e) => setLabel(e.target.value)} />
      </Field>
      <Field label={t('admin.dispositions.code')} error={err.code}>
        <input value={code} onChange={(e) => setCode(e.target.value)} placeholder={t('admin.dispositions.codeExample')} />
      </Field>
      <QueueSelect value={queue} onChange={setQueue} label={t('admin.queue')} error={err.queue} />
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
