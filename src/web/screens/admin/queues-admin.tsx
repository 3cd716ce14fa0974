import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';

/** An auto-reply for when the queue is open and one for when it is closed, in each language contacts may have. */
const AUTO_REPLY_SLOTS = ['open', 'closed'] as const;
const AUTO_REPLY_LANGUAGES = ['en', 'es'] as const;

import { api } from '../../api.js';
import type { QueueStats } from '../../types.js';
import { ZCreateQueue, ZUpdateQueue } from '../../../core/routing/queue-schema.js';
import { CALLBACK_ORDERS } from '../../../db/enums.js';
import { FormError, loadQueues, Section, useList, useSubmit } from './admin-bits.js';
import { Field, useValidatedForm } from './validated-form.js';
import { AdminTable } from './admin-table.js';

type Hours = NonNullable<QueueStats['businessHours']>;
type Step = QueueStats['escalation'][number];
const DAYS = [1, 2, 3, 4, 5, 6, 0];
const DEFAULT_TZ = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

// The form edits SLA targets in minutes (the API takes seconds) and each auto-reply as an English
// and a Spanish text (the API takes a string, or {en, es} when there is a Spanish one).
type SlaDraft = { first: number; next: number | ''; resolution: number };
const slaDraftOf = (p: QueueStats['sla']): SlaDraft | null =>
  p && {
    first: p.firstResponseSeconds / 60,
    next: p.nextResponseSeconds ? p.nextResponseSeconds / 60 : '',
    resolution: p.resolutionSeconds / 60,
  };
const slaOf = (d: SlaDraft) => ({
  firstResponseSeconds: Math.round(d.first * 60),
  nextResponseSeconds: d.next === '' ? null : Math.round(Number(d.next) * 60),
  resolutionSeconds: Math.round(d.resolution * 60),
});
type Texts = { en: string; es: string };
type RepliesDraft = { open: Texts; closed: Texts };
type Variants = string | { en: string; es?: string } | null | undefined;
const textsOf = (v: Variants): Texts => (typeof v === 'string' ? { en: v, es: '' } : { en: v?.en ?? '', es: v?.es ?? '' });
const repliesDraftOf = (r: QueueStats['autoReply']): RepliesDraft => ({ open: textsOf(r?.open), closed: textsOf(r?.closed) });
const variantsOf = ({ en, es }: Texts) => (es.trim() ? { en, es } : en.trim() ? en : null);
function autoReplyOf(d: RepliesDraft) {
  const open = variantsOf(d.open);
  const closed = variantsOf(d.closed);
  return open || closed ? { open, closed } : null;
}

/** Queues: name, priority, answer target, longest wait, business hours (weekly editor and holidays), escalation steps. */
export function QueuesAdmin() {
  const { t } = useTranslation();
  const { items, error, reload } = useList(loadQueues);
  const [editing, setEditing] = useState<QueueStats | 'new' | null>(null);
  const actions = useSubmit();
  const minutes = (s: number) => t('admin.queues.seconds', { count: s });
  return (
    <Section
      title={t('admin.tabs.queues')}
      actions={
        <button className="btn btn-primary btn-sm" onClick={() => setEditing('new')}>
          {t('admin.queues.add')}
        </button>
      }
    >
      <FormError error={error ?? actions.error} />
      {editing && (
        <QueueForm
          key={editing === 'new' ? 'new' : editing.key}
          queue={editing === 'new' ? undefined : editing}
          onDone={() => {
            setEditing(null);
            reload();
          }}
        />
      )}
      <AdminTable
        label={t('admin.tabs.queues')}
        rows={items}
        rowKey={(q) => q.key}
        testId="queue-row"
        columns={[
          {
            header: t('admin.queues.name'),
            cell: (q) => (
              <>
                <strong>{q.name}</strong>
                <div className="muted small">{q.key}</div>
              </>
            ),
          },
          { header: t('admin.queues.priority'), cell: (q) => q.priority },
          { header: t('admin.queues.answerTarget'), cell: (q) => minutes(q.slaSeconds) },
          {
            header: t('admin.queues.hours'),
            className: 'small',
            cell: (q) =>
              q.businessHours
                ? t('admin.queues.hoursSummary', { days: q.businessHours.open.length, tz: q.businessHours.timezone })
                : t('admin.queues.always'),
          },
          {
            header: t('admin.queues.escalation'),
            className: 'small',
            cell: (q) => t('admin.queues.steps', { count: q.escalation.length }),
          },
        ]}
        actions={(q) => (
          <>
            <button className="btn btn-sm" onClick={() => setEditing(q)} aria-label={t('admin.editNamed', { name: q.name })}>
              {t('admin.edit')}
            </button>
            {/* The server refuses (409) while inboxes, escalation plans or history depend on it, and says which. */}
            <button
              className="btn btn-sm"
              onClick={() => void actions.run(() => api.admin.deleteQueue(q.key), reload)}
              aria-label={t('admin.deleteNamed', { name: q.name })}
            >
              {t('common.delete')}
            </button>
          </>
        )}
      />
    </Section>
  );
}

function QueueForm({ queue, onDone }: { queue?: QueueStats; onDone: () => void }) {
  const { t } = useTranslation();
  const [key, setKey] = useState(queue?.key ?? '');
  const [name, setName] = useState(queue?.name ?? '');
  const [priority, setPriority] = useState(queue?.priority ?? 0);
  const [slaSeconds, setSla] = useState(queue?.slaSeconds ?? 60);
  const [maxWaitSeconds, setMaxWait] = useState(queue?.maxWaitSeconds ?? 600);
  const [hours, setHours] = useState<Hours | null>(queue?.businessHours ?? null);
  const [steps, setSteps] = useState<Step[]>(queue?.escalation ?? []);
  const [sla, setSlaPolicy] = useState<SlaDraft | null>(slaDraftOf(queue?.sla ?? null));
  const [replies, setReplies] = useState<RepliesDraft>(repliesDraftOf(queue?.autoReply ?? null));
  const [callbackOrder, setCallbackOrder] = useState<QueueStats['callbackOrder']>(queue?.callbackOrder ?? 'afterLive');
  const form = useValidatedForm(queue ? ZUpdateQueue : ZCreateQueue);
  const err = form.errors;
  /** The first error at or under `path` (an array's items, a step's fields). */
  const errUnder = (path: string) => Object.entries(err).find(([p]) => p === path || p.startsWith(`${path}.`))?.[1];

  function submit(e: FormEvent) {
    e.preventDefault();
    const body = {
      name,
      priority,
      slaSeconds,
      maxWaitSeconds,
      businessHours: hours,
      escalation: steps,
      sla: sla && slaOf(sla),
      autoReply: autoReplyOf(replies),
      callbackOrder,
    };
    void form.submit(
      queue ? body : { key, ...body },
      (b) => (queue ? api.admin.updateQueue(queue.key, b) : api.admin.createQueue(b)),
      onDone,
    );
  }
  const dayRow = (day: number) => hours?.open.find((o) => o.day === day);
  const setDay = (day: number, v: { from: string; to: string } | null) => {
    if (!hours) return;
    const others = hours.open.filter((o) => o.day !== day);
    setHours({ ...hours, open: v ? [...others, { day, ...v }].sort((a, b) => a.day - b.day) : others });
  };

  return (
    <form
      className="admin-form"
      onSubmit={submit}
      {...form.formProps}
      aria-label={queue ? t('admin.editNamed', { name: queue.name }) : t('admin.queues.add')}
    >
      <h3>{queue ? t('admin.editNamed', { name: queue.name }) : t('admin.queues.add')}</h3>
      {!queue && (
        <Field label={t('admin.queues.key')} hint={t('admin.queues.keyHint')} error={err.key}>
          <input value={key} onChange={(e) => setKey(e.target.value)} required />
        </Field>
      )}
      <Field label={t('admin.queues.name')} error={err.name}>
        <input value={name} onChange={(e) => setName(e.target.value)} required />
      </Field>
      <Field label={t('admin.queues.priority')} error={err.priority}>
        <input type="number" value={priority} onChange={(e) => setPriority(Number(e.target.value))} />
      </Field>
      <Field label={t('admin.queues.answerTargetSeconds')} error={err.slaSeconds}>
        <input type="number" value={slaSeconds} onChange={(e) => setSla(Number(e.target.value))} />
      </Field>
      <Field label={t('admin.queues.maxWaitSeconds')} error={err.maxWaitSeconds}>
        <input type="number" value={maxWaitSeconds} onChange={(e) => setMaxWait(Number(e.target.value))} />
      </Field>
      <Field
        className="wide callback-order"
        label={t('admin.queues.callbackOrder')}
        hint={t(`admin.queues.callbackOrders.${callbackOrder}.hint`)}
        error={err.callbackOrder}
      >
        <select value={callbackOrder} onChange={(e) => setCallbackOrder(e.target.value as QueueStats['callbackOrder'])}>
          {CALLBACK_ORDERS.map((o) => (
            <option key={o} value={o}>
              {t(`admin.queues.callbackOrders.${o}.label`)}
            </option>
          ))}
        </select>
      </Field>
      <fieldset>
        <legend>{t('admin.queues.sla')}</legend>
        <label className="inline wide">
          <input
            type="checkbox"
            checked={sla !== null}
            onChange={(e) => setSlaPolicy(e.target.checked ? { first: 60, next: '', resolution: 24 * 60 } : null)}
          />
          {t('admin.queues.slaOn')}
        </label>
        {sla && (
          <>
            <Field label={t('admin.queues.firstResponseMinutes')} error={err['sla.firstResponseSeconds']}>
              <input type="number" value={sla.first} onChange={(e) => setSlaPolicy({ ...sla, first: Number(e.target.value) })} />
            </Field>
            <Field label={t('admin.queues.nextResponseMinutes')} error={err['sla.nextResponseSeconds']}>
              <input
                type="number"
                value={sla.next}
                onChange={(e) => setSlaPolicy({ ...sla, next: e.target.value === '' ? '' : Number(e.target.value) })}
              />
            </Field>
            <Field label={t('admin.queues.resolutionMinutes')} error={err['sla.resolutionSeconds']}>
              <input type="number" value={sla.resolution} onChange={(e) => setSlaPolicy({ ...sla, resolution: Number(e.target.value) })} />
            </Field>
            <span className="muted small wide">{t('admin.queues.slaHint')}</span>
          </>
        )}
      </fieldset>
      <fieldset>
        <legend>{t('admin.queues.autoReplies')}</legend>
        <span className="muted small wide">{t('admin.queues.autoReplyHint')}</span>
        {AUTO_REPLY_SLOTS.map((slot) =>
          AUTO_REPLY_LANGUAGES.map((lang) => (
            <Field
              key={`${slot}-${lang}`}
              className="auto-reply"
              label={t(`admin.queues.autoReply.${slot}`, { language: t(`languages.${lang}`) })}
              error={err[`autoReply.${slot}.${lang}`] ?? (lang === 'en' ? err[`autoReply.${slot}`] : undefined)}
            >
              <textarea
                rows={2}
                value={replies[slot][lang]}
                onChange={(e) => setReplies({ ...replies, [slot]: { ...replies[slot], [lang]: e.target.value } })}
              />
            </Field>
          )),
        )}
      </fieldset>
      <fieldset>
        <legend>{t('admin.queues.hours')}</legend>
        <label className="inline">
          <input
            type="checkbox"
            checked={hours !== null}
            onChange={(e) =>
              setHours(
                e.target.checked
                  ? { timezone: DEFAULT_TZ, open: [1, 2, 3, 4, 5].map((day) => ({ day, from: '09:00', to: '17:00' })) }
                  : null,
              )
            }
          />
          {t('admin.queues.limitHours')}
        </label>
        {hours && (
          <>
            <Field label={t('admin.queues.timezone')} error={err['businessHours.timezone']}>
              <input value={hours.timezone} onChange={(e) => setHours({ ...hours, timezone: e.target.value })} />
            </Field>
            {DAYS.map((day) => {
              const row = dayRow(day);
              const at = `businessHours.open.${hours.open.findIndex((o) => o.day === day)}`;
              const dayName = new Intl.DateTimeFormat(undefined, { weekday: 'long' }).format(new Date(Date.UTC(2026, 10, 1 + day)));
              return (
                <div key={day} className="hours-row">
                  <label className="inline day">
                    <input
                      type="checkbox"
                      checked={!!row}
                      onChange={(e) => setDay(day, e.target.checked ? { from: '09:00', to: '17:00' } : null)}
                    />
                    {dayName}
                  </label>
                  {row && (
                    <>
                      <Field className="inline" label={t('admin.queues.fromDay', { day: dayName })} error={err[`${at}.from`] ?? err[at]}>
                        <input type="time" value={row.from} onChange={(e) => setDay(day, { from: e.target.value, to: row.to })} />
                      </Field>
                      <Field className="inline" label={t('admin.queues.toDay', { day: dayName })} error={err[`${at}.to`]}>
                        <input type="time" value={row.to} onChange={(e) => setDay(day, { from: row.from, to: e.target.value })} />
                      </Field>
                    </>
                  )}
                </div>
              );
            })}
            <Field className="wide" label={t('admin.queues.holidays')} error={errUnder('businessHours.holidays')}>
              <textarea
                rows={2}
                value={(hours.holidays ?? []).join('\n')}
                onChange={(e) => setHours({ ...hours, holidays: e.target.value.split(/\s+/).filter(Boolean) })}
                placeholder="2026-12-25"
              />
            </Field>
          </>
        )}
      </fieldset>
      <fieldset>
        <legend>{t('admin.queues.escalation')}</legend>
        {steps.map((s, i) => (
          <div key={i} className="hours-row">
            <Field className="inline" label={t('admin.queues.afterSeconds')} error={err[`escalation.${i}.afterSeconds`]}>
              <input
                type="number"
                min={0}
                value={s.afterSeconds}
                onChange={(e) => setSteps(steps.map((x, j) => (j === i ? { ...x, afterSeconds: Number(e.target.value) } : x)))}
              />
            </Field>
            {/* A step that does nothing is refused at the step itself: shown here, its first choice. */}
            <Field
              className="inline"
              label={t('admin.queues.raisePriority')}
              error={err[`escalation.${i}.raisePriority`] ?? err[`escalation.${i}`]}
            >
              <input
                type="number"
                min={0}
                value={s.raisePriority ?? 0}
                onChange={(e) =>
                  setSteps(steps.map((x, j) => (j === i ? { ...x, raisePriority: Number(e.target.value) || undefined } : x)))
                }
              />
            </Field>
            <Field className="inline" label={t('admin.queues.addQueues')} error={errUnder(`escalation.${i}.addQueues`)}>
              <input
                value={(s.addQueues ?? []).join(', ')}
                onChange={(e) =>
                  setSteps(
                    steps.map((x, j) => (j === i ? { ...x, addQueues: e.target.value.split(/[,\s]+/).filter(Boolean) || undefined } : x)),
                  )
                }
              />
            </Field>
            <label className="inline">
              <input
                type="checkbox"
                checked={!!s.notifySupervisors}
                onChange={(e) => setSteps(steps.map((x, j) => (j === i ? { ...x, notifySupervisors: e.target.checked } : x)))}
              />
              {t('admin.queues.notifySupervisors')}
            </label>
            <button type="button" className="btn btn-sm" onClick={() => setSteps(steps.filter((_x, j) => j !== i))}>
              {t('common.remove')}
            </button>
          </div>
        ))}
        <button type="button" className="btn btn-sm" onClick={() => setSteps([...steps, { afterSeconds: 300, notifySupervisors: true }])}>
          {t('admin.queues.addStep')}
        </button>
      </fieldset>
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
