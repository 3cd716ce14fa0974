import { useState, type FormEvent } from 'react';
import type { Invite } from '../../api.js';
import { useTranslation } from 'react-i18next';
import { DESK_LANGUAGES, LANGUAGE_NAMES } from '../../i18n.js';

import { api } from '../../api.js';
import { CHANNELS, type Agent, type Channel, type Role } from '../../types.js';
import { ZCreateAgent, ZUpdateAgent } from '../../../core/agents/agent-schema.js';
import { FormError, Section, useList, useQueues, useSubmit } from './admin-bits.js';
import { AdminTable } from './admin-table.js';
import { Field, useValidatedForm } from './validated-form.js';

const ROLES: Role[] = ['agent', 'supervisor', 'admin'];
const loadAgents = () => api.agents();

type Draft = {
  name: string;
  email: string;
  password: string;
  role: Role;
  language: 'en' | 'es';
  mustChangePassword: boolean;
  queues: Record<string, number>;
  capacity: Record<Channel, number>;
};

const draftOf = (a?: Agent): Draft => ({
  name: a?.name ?? '',
  email: a?.email ?? '',
  password: '',
  role: a?.role ?? 'agent',
  language: a?.language ?? 'en',
  mustChangePassword: true,
  queues: Object.fromEntries((a?.queues ?? []).map((q) => [q.queue, q.level])),
  capacity: { ...(a?.capacity ?? { voice: 1, sms: 3, email: 5, slack: 3 }) },
});

/** Agents: add (with a first password the agent must replace), role, queues with skill level, capacity, deactivate, resets. */
export function AgentsAdmin({ me }: { me: Agent }) {
  const { t } = useTranslation();
  const { items, error, reload } = useList(loadAgents);
  const [editing, setEditing] = useState<Agent | 'new' | null>(null);
  const [invite, setInvite] = useState<(Invite & { name: string }) | null>(null);
  const actions = useSubmit();

  return (
    <Section
      title={t('admin.tabs.agents')}
      actions={
        <button className="btn btn-primary btn-sm" onClick={() => setEditing('new')}>
          {t('admin.agents.add')}
        </button>
      }
    >
      <FormError error={error ?? actions.error} />
      {editing && (
        <AgentForm
          key={editing === 'new' ? 'new' : editing.id}
          agent={editing === 'new' ? undefined : editing}
          onDone={(made) => {
            setEditing(null);
            if (made) setInvite(made);
            reload();
          }}
        />
      )}
      {invite && <InviteLink invite={invite} onClose={() => setInvite(null)} />}
      <AdminTable
        label={t('admin.tabs.agents')}
        rows={items}
        rowKey={(a) => a.id}
        testId="agent-row"
        columns={[
          {
            header: t('admin.agents.name'),
            cell: (a) => (
              <>
                <strong>{a.name}</strong>
                <div className="muted small">{a.email}</div>
              </>
            ),
          },
          { header: t('admin.agents.role'), cell: (a) => t(`roles.${a.role}`) },
          { header: t('admin.agents.queues'), cell: (a) => a.queues.map((q) => `${q.queue} (${q.level})`).join(', ') || '—' },
          {
            header: t('admin.agents.capacity'),
            className: 'small',
            cell: (a) => CHANNELS.map((c) => `${t(`channels.${c}`)} ${a.capacity[c]}`).join(' · '),
          },
          {
            header: t('admin.agents.status'),
            cell: (a) => (
              <>
                {a.active ? t('admin.agents.active') : <span className="badge-off">{t('admin.agents.deactivated')}</span>}
                {a.mfaEnabled && <div className="muted small">{t('admin.agents.mfaOn')}</div>}
              </>
            ),
          },
        ]}
        actions={(a) => (
          <>
            <button className="btn btn-sm" onClick={() => setEditing(a)} aria-label={t('admin.editNamed', { name: a.name })}>
              {t('admin.edit')}
            </button>
            {a.id !== me.id && (
              <button
                className="btn btn-sm"
                onClick={() => void actions.run(() => api.admin.updateAgent(a.id, { active: !a.active }), reload)}
                aria-label={t(a.active ? 'admin.agents.deactivateNamed' : 'admin.agents.reactivateNamed', { name: a.name })}
              >
                {a.active ? t('admin.agents.deactivate') : t('admin.agents.reactivate')}
              </button>
            )}
            {a.active && a.id !== me.id && (
              <button
                className="btn btn-sm"
                aria-label={t('admin.agents.inviteNamed', { name: a.name })}
                onClick={() => void actions.run(async () => setInvite({ ...(await api.admin.inviteAgent(a.id)), name: a.name }), reload)}
              >
                {t('admin.agents.invite')}
              </button>
            )}
            {a.mfaEnabled && (
              <button className="btn btn-sm" onClick={() => void actions.run(() => api.admin.resetMfa(a.id), reload)}>
                {t('admin.agents.resetMfa')}
              </button>
            )}
          </>
        )}
      />
    </Section>
  );
}

/** The one-time link to hand over: shown once (only its hash is kept), with a copy button. */
function InviteLink({ invite, onClose }: { invite: Invite & { name: string }; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const [copied, setCopied] = useState(false);
  const expires = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(invite.expiresAt));
  return (
    <div className="admin-form" role="region" aria-label={t('admin.agents.inviteFor', { name: invite.name })} data-testid="invite-link">
      <h3>{t('admin.agents.inviteFor', { name: invite.name })}</h3>
      <p className="muted small">{t('admin.agents.inviteHint', { expires })}</p>
      <label>
        {t('admin.agents.inviteLink')}
        <input readOnly value={invite.url} onFocus={(e) => e.target.select()} />
      </label>
      <div className="form-actions">
        <button
          type="button"
          className="btn btn-primary"
          onClick={() =>
            void navigator.clipboard?.writeText(invite.url).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? t('admin.agents.copied') : t('admin.agents.copyLink')}
        </button>
        <button type="button" className="btn" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </div>
  );
}

function AgentForm({ agent, onDone }: { agent?: Agent; onDone: (invite?: Invite & { name: string }) => void }) {
  const { t } = useTranslation();
  const queues = useQueues();
  const [d, setD] = useState<Draft>(() => draftOf(agent));
  const form = useValidatedForm(agent ? ZUpdateAgent : ZCreateAgent);
  const err = form.errors;
  const set = (patch: Partial<Draft>) => setD((x) => ({ ...x, ...patch }));

  function submit(e: FormEvent) {
    e.preventDefault();
    const common = {
      name: d.name,
      email: d.email,
      role: d.role,
      language: d.language,
      queues: Object.entries(d.queues).map(([queue, level]) => ({ queue, level })),
      capacity: d.capacity,
    };
    // No password on a new agent: the server answers a one-time link to hand over instead.
    const body = d.password ? { ...common, password: d.password, mustChangePassword: d.mustChangePassword } : common;
    let made: (Invite & { name: string }) | undefined;
    void form.submit(
      body,
      async (b) => {
        if (agent) return api.admin.updateAgent(agent.id, b);
        const r = await api.admin.createAgent(b);
        if (r.invite) made = { ...r.invite, name: d.name };
      },
      () => onDone(made),
    );
  }

  return (
    <form
      className="admin-form"
      onSubmit={submit}
      {...form.formProps}
      aria-label={agent ? t('admin.editNamed', { name: agent.name }) : t('admin.agents.add')}
    >
      <h3>{agent ? t('admin.editNamed', { name: agent.name }) : t('admin.agents.add')}</h3>
      <Field label={t('admin.agents.name')} error={err.name}>
        <input value={d.name} onChange={(e) => set({ name: e.target.value })} required />
      </Field>
      <Field label={t('admin.agents.email')} error={err.email}>
        <input type="email" value={d.email} onChange={(e) => set({ email: e.target.value })} required />
      </Field>
      <Field label={agent ? t('admin.agents.newPassword') : t('admin.agents.password')} error={err.password}>
        <input type="password" autoComplete="new-password" value={d.password} onChange={(e) => set({ password: e.target.value })} />
      </Field>
      <label className="inline">
        <input type="checkbox" checked={d.mustChangePassword} onChange={(e) => set({ mustChangePassword: e.target.checked })} />
        {t('admin.agents.mustChange')}
      </label>
      <Field label={t('admin.agents.role')} error={err.role}>
        <select value={d.role} onChange={(e) => set({ role: e.target.value as Role })}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`roles.${r}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('admin.agents.language')} error={err.language}>
        <select value={d.language} onChange={(e) => set({ language: e.target.value as 'en' | 'es' })}>
          {DESK_LANGUAGES.map((l) => (
            <option key={l} value={l}>
              {LANGUAGE_NAMES[l]}
            </option>
          ))}
        </select>
      </Field>
      <fieldset>
        <legend>{t('admin.agents.queuesAndSkills')}</legend>
        {queues.map((q) => {
          const level = d.queues[q.key];
          return (
            <span key={q.key} className="hours-row" style={{ width: 'auto' }}>
              <label className="inline">
                <input
                  type="checkbox"
                  checked={level !== undefined}
                  onChange={(e) => {
                    const next = { ...d.queues };
                    if (e.target.checked) next[q.key] = 3;
                    else delete next[q.key];
                    set({ queues: next });
                  }}
                />
                {q.name}
              </label>
              {level !== undefined && (
                <label className="inline">
                  <span className="sr-only">{t('admin.agents.skillFor', { queue: q.name })}</span>
                  <select value={level} onChange={(e) => set({ queues: { ...d.queues, [q.key]: Number(e.target.value) } })}>
                    {[1, 2, 3, 4, 5].map((n) => (
                      <option key={n} value={n}>
                        {t('admin.agents.skill', { level: n })}
                      </option>
                    ))}
                  </select>
                </label>
              )}
            </span>
          );
        })}
      </fieldset>
      <fieldset>
        <legend>{t('admin.agents.capacityPerChannel')}</legend>
        {CHANNELS.map((c) => (
          <Field key={c} className="inline" label={t(`channels.${c}`)} error={err[`capacity.${c}`]}>
            <input
              type="number"
              min={0}
              max={100}
              aria-label={t('admin.agents.capacityFor', { channel: t(`channels.${c}`) })}
              value={d.capacity[c]}
              onChange={(e) => set({ capacity: { ...d.capacity, [c]: Number(e.target.value) } })}
            />
          </Field>
        ))}
      </fieldset>
      <FormError error={form.formError} />
      <div className="form-actions">
        <button className="btn btn-primary" disabled={form.busy}>
          {t('common.save')}
        </button>
        <button type="button" className="btn" onClick={() => onDone()}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
