import { useCallback, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import type { Disposition } from '../../types.js';
import { FormError, QueueSelect, Section, useList, useSubmit } from './admin-bits.js';
import { AdminTable } from './admin-table.js';

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
  const { error, busy, run } = useSubmit();
  function submit(e: FormEvent) {
    e.preventDefault();
    const data = { code, label, queue };
    void run(() => (item ? api.admin.updateDisposition(item.id, data) : api.admin.createDisposition(data)), onDone);
  }
  return (
    <form
      className="admin-form"
      onSubmit={submit}
      aria-label={item ? t('admin.editNamed', { name: item.label }) : t('admin.dispositions.add')}
    >
      <h3>{item ? t('admin.editNamed', { name: item.label }) : t('admin.dispositions.add')}</h3>
      <label>
        {t('admin.dispositions.label')}
        <input value={label} onChange={(e) => setLabel(e.target.value)} />
      </label>
      <label>
        {t('admin.dispositions.code')}
        <input value={code} onChange={(e) => setCode(e.target.value)} placeholder="gift-aid-sent" />
      </label>
      <QueueSelect value={queue} onChange={setQueue} label={t('admin.queue')} />
      <FormError error={error} />
      <div className="form-actions">
        <button className="btn btn-primary" disabled={busy}>
          {t('common.save')}
        </button>
        <button type="button" className="btn" onClick={onDone}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
