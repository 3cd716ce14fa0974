import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import type { Inbox } from '../../types.js';
import { ZInbox } from '../../../core/inbox-schema.js';
import { FormError, Section, useList, useQueues, useSubmit } from './admin-bits.js';
import { AdminTable } from './admin-table.js';
import { Field, useValidatedForm } from './validated-form.js';

const KINDS: Inbox['kind'][] = ['phone', 'email', 'slack'];
const loadInboxes = () => api.admin.inboxes();

/** Inboxes: where contacts come in (a Twilio number with its IVR flow, an email address, a Slack channel) → the queue they wait in. */
export function InboxesAdmin() {
  const { t } = useTranslation();
  const { items, error, reload } = useList(loadInboxes);
  const queues = useQueues();
  const actions = useSubmit();
  const [kind, setKind] = useState<Inbox['kind']>('phone');
  const [address, setAddress] = useState('');
  const [queue, setQueue] = useState('');
  const [flow, setFlow] = useState('');
  const add = useValidatedForm(ZInbox);
  const err = add.errors;

  function submit(e: FormEvent) {
    e.preventDefault();
    void add.submit(
      { kind, address: address.trim(), queue, ...(kind === 'phone' && flow.trim() ? { flow: flow.trim() } : {}) },
      (body) => api.admin.createInbox(body),
      () => {
        setAddress('');
        setFlow('');
        reload();
      },
    );
  }

  return (
    <Section title={t('admin.tabs.inboxes')}>
      <FormError error={error ?? actions.error} />
      <form className="admin-form" onSubmit={submit} {...add.formProps} aria-label={t('admin.inboxes.add')}>
        <h3>{t('admin.inboxes.add')}</h3>
        <Field label={t('admin.inboxes.kind')} error={err.kind}>
          <select value={kind} onChange={(e) => setKind(e.target.value as Inbox['kind'])}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`admin.inboxes.kinds.${k}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('admin.inboxes.address')} error={err.address}>
          <input
            value={address}
            onChange={(e) => setAddress(e.target.value)}
            placeholder={t(`admin.inboxes.placeholders.${kind}`)}
            required
          />
        </Field>
        <Field label={t('admin.inboxes.queue')} error={err.queue}>
          <select value={queue} onChange={(e) => setQueue(e.target.value)} required>
            <option value="">{t('admin.inboxes.chooseQueue')}</option>
            {queues.map((q) => (
              <option key={q.key} value={q.key}>
                {q.name}
              </option>
            ))}
          </select>
        </Field>
        {kind === 'phone' && (
          <Field label={t('admin.inboxes.flow')} error={err.flow}>
            <input value={flow} onChange={(e) => setFlow(e.target.value)} placeholder={t('admin.inboxes.flowExample')} />
          </Field>
        )}
        <FormError error={add.formError} />
        <div className="form-actions">
          <button className="btn btn-primary" disabled={add.busy}>
            {t('common.add')}
          </button>
        </div>
      </form>
      <AdminTable
        label={t('admin.tabs.inboxes')}
        rows={items}
        rowKey={(i) => i.id}
        testId="inbox-row"
        empty={t('admin.inboxes.none')}
        columns={[
          { header: t('admin.inboxes.kind'), cell: (i) => t(`admin.inboxes.kinds.${i.kind}`) },
          { header: t('admin.inboxes.address'), cell: (i) => <code>{i.address}</code> },
          {
            header: t('admin.inboxes.queue'),
            cell: (i) => (
              <>
                <label className="sr-only" htmlFor={`inbox-queue-${i.id}`}>
                  {t('admin.inboxes.queueFor', { address: i.address })}
                </label>
                <select
                  id={`inbox-queue-${i.id}`}
                  value={i.queue}
                  onChange={(e) => void actions.run(() => api.admin.updateInbox(i.id, { queue: e.target.value }), reload)}
                >
                  {queues.map((q) => (
                    <option key={q.key} value={q.key}>
                      {q.name}
                    </option>
                  ))}
                </select>
              </>
            ),
          },
          { header: t('admin.inboxes.flow'), cell: (i) => i.flow ?? '—' },
        ]}
        actions={(i) => (
          <button
            className="btn btn-sm"
            onClick={() => void actions.run(() => api.admin.deleteInbox(i.id), reload)}
            aria-label={t('admin.deleteNamed', { name: i.address })}
          >
            {t('common.delete')}
          </button>
        )}
      />
    </Section>
  );
}
