import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { i18next } from '../../i18n.js';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import { dayAndTime } from '../../format.js';
import { reportError } from '../../notices.js';
import type { Incident, IncidentProposal, IncidentSuggestion } from '../../types.js';
import { FormError, useSubmit } from '../admin/admin-bits.js';
import { IncidentForm } from './incident-form.js';
import './incidents.css';

/**
 * Supervisors' incident screen: declare one (from scratch or from a group of similar contacts),
 * change it while open, link the conversations it explains, and close it with a message to
 * every linked contact. Open incidents arrive live (`incidents`, kept by the app); the history
 * is fetched here.
 */
export function IncidentsScreen({
  open,
  proposal,
  onOpenConversation,
}: {
  open: Incident[];
  /** A group of similar contacts the supervisor chose to declare from (the banner's button). */
  proposal: IncidentProposal | null;
  onOpenConversation: (id: string) => void;
}) {
  const { t } = useTranslation();
  const [history, setHistory] = useState<Incident[]>([]);
  const loadHistory = useCallback(() => {
    api.crisis.incidents('resolved').then(setHistory, reportError(i18next.t('errors.loadResolvedIncidents')));
  }, []);
  useEffect(loadHistory, [loadHistory, open.length]);

  return (
    <main className="incidents-page" aria-label={t('incidents.screen')}>
      <h1>{t('incidents.screen')}</h1>
      <div>
        <section aria-label={t('incidents.open')}>
          <h2 className="card-title">{t('incidents.open')}</h2>
          {open.length === 0 && <p className="muted">{t('incidents.noneOpen')}</p>}
          {open.map((i) => (
            <OpenIncident key={i.id} incident={i} onOpenConversation={onOpenConversation} />
          ))}
        </section>
        <section aria-label={t('incidents.resolved')}>
          <h2 className="card-title">{t('incidents.resolved')}</h2>
          {history.length === 0 && <p className="muted">{t('incidents.noneResolved')}</p>}
          <ul className="incident-history">
            {history.map((i) => (
              <li key={i.id}>
                <strong>{i.title}</strong>{' '}
                <span className="muted small">
                  {dayAndTime(i.declaredAt)} – {i.resolvedAt ? dayAndTime(i.resolvedAt) : ''} ·{' '}
                  {t('incidents.linkedCount', { count: i.conversationIds.length })}
                </span>
              </li>
            ))}
          </ul>
        </section>
      </div>
      <section className="card" aria-label={t('incidents.declare')}>
        <h2 className="card-title">{t('incidents.declare')}</h2>
        {proposal && (
          <p className="muted small">
            {t('incidents.fromProposal', { count: proposal.contacts, numbers: proposal.numbers.map((n) => `#${n}`).join(' ') })}
          </p>
        )}
        <IncidentForm
          key={proposal?.conversationIds.join() ?? 'new'}
          initial={proposal ? { title: proposal.words.slice(0, 4).join(' '), queues: proposal.queues } : undefined}
          submitLabel={t('incidents.declareButton')}
          onSubmit={async (draft) => {
            const incident = await api.crisis.declare(draft);
            // Declared from a group: its conversations are what the incident is about.
            for (const id of proposal?.conversationIds ?? []) await api.crisis.link(incident.id, id).catch(() => undefined);
          }}
        />
      </section>
    </main>
  );
}

/** One open incident: what contacts hear, its linked and suggested conversations, edit and resolve. */
function OpenIncident({ incident: i, onOpenConversation }: { incident: Incident; onOpenConversation: (id: string) => void }) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<'view' | 'edit' | 'resolve'>('view');
  const [suggestions, setSuggestions] = useState<IncidentSuggestion[]>([]);
  const numbers = useConversationNumbers(i.conversationIds);
  const links = i.conversationIds.join();
  useEffect(() => {
    api.crisis.suggestions(i.id).then(setSuggestions, reportError(i18next.t('errors.loadSuggestions')));
  }, [i.id, links]);
  const link = useSubmit();

  return (
    <article className="card incident-card" aria-label={i.title} data-testid="incident-card">
      <h2>{i.title}</h2>
      <div className="meta">
        {t('incidents.declaredAt', { at: dayAndTime(i.declaredAt) })} ·{' '}
        {i.queues.length ? t('incidents.queues', { queues: i.queues.join(', ') }) : t('incidents.allQueues')}
      </div>
      {mode === 'edit' ? (
        <IncidentForm
          incident={i}
          submitLabel={t('incidents.saveChanges')}
          onSubmit={(draft) => api.crisis.update(i.id, draft).then(() => setMode('view'))}
          onCancel={() => setMode('view')}
        />
      ) : (
        <>
          <p>{i.publicMessage.en}</p>
          {i.publicMessage.es && <p lang="es">{i.publicMessage.es}</p>}
        </>
      )}

      <h3 className="small">{t('incidents.linked', { count: i.conversationIds.length })}</h3>
      <ul aria-label={t('incidents.linked', { count: i.conversationIds.length })}>
        {i.conversationIds.map((id) => (
          <li key={id}>
            <button type="button" className="link" onClick={() => onOpenConversation(id)}>
              {numbers[id] ? `#${numbers[id]}` : '…'}
            </button>
            <button
              type="button"
              className="btn btn-sm"
              disabled={link.busy}
              onClick={() => void link.run(() => api.crisis.unlink(i.id, id))}
              aria-label={t('incidents.unlinkNumber', { number: numbers[id] ?? '' })}
            >
              {t('incidents.unlink')}
            </button>
          </li>
        ))}
      </ul>
      <h3 className="small">{t('incidents.suggested', { count: suggestions.length })}</h3>
      {suggestions.length === 0 ? (
        <p className="muted small">{t('incidents.noSuggestions')}</p>
      ) : (
        <ul aria-label={t('incidents.suggested', { count: suggestions.length })}>
          {suggestions.map((s) => (
            <li key={s.conversationId}>
              <button type="button" className="link" onClick={() => onOpenConversation(s.conversationId)}>
                #{s.number}
              </button>
              <span className="muted small">{s.snippet}</span>
              <button
                type="button"
                className="btn btn-sm"
                disabled={link.busy}
                onClick={() => void link.run(() => api.crisis.link(i.id, s.conversationId))}
                aria-label={t('incidents.linkNumber', { number: s.number })}
              >
                {t('incidents.link')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <FormError error={link.error} />

      {mode === 'resolve' ? (
        <ResolveIncident incident={i} onCancel={() => setMode('view')} />
      ) : (
        mode === 'view' && (
          <div className="incident-actions">
            <button type="button" className="btn" onClick={() => setMode('edit')}>
              {t('incidents.edit')}
            </button>
            <button type="button" className="btn btn-primary" onClick={() => setMode('resolve')}>
              {t('incidents.resolve')}
            </button>
          </div>
        )
      )}
    </article>
  );
}

/** Closing: the message every linked contact gets on their own channel, and the disposition their conversations close with. */
function ResolveIncident({ incident: i, onCancel }: { incident: Incident; onCancel: () => void }) {
  const { t } = useTranslation();
  const [en, setEn] = useState('');
  const [es, setEs] = useState('');
  const [disposition, setDisposition] = useState('');
  const submit = useSubmit();
  const resolve = (e: FormEvent) => {
    e.preventDefault();
    void submit.run(() =>
      api.crisis.resolve(i.id, {
        ...(en.trim() ? { message: { en, ...(es.trim() ? { es } : {}) } } : {}),
        ...(disposition.trim() ? { disposition: disposition.trim() } : {}),
      }),
    );
  };
  return (
    <form className="incident-form" onSubmit={resolve} aria-label={t('incidents.resolve')}>
      <p className="muted small">{t('incidents.resolveHint', { count: i.conversationIds.length })}</p>
      <label>
        {t('incidents.resolutionEn')}
        <textarea maxLength={1000} value={en} onChange={(e) => setEn(e.target.value)} />
      </label>
      <label>
        {t('incidents.resolutionEs')}
        <textarea maxLength={1000} value={es} onChange={(e) => setEs(e.target.value)} />
      </label>
      <label>
        {t('incidents.disposition')}
        <input
          maxLength={64}
          placeholder={t('incidents.dispositionExample')}
          value={disposition}
          onChange={(e) => setDisposition(e.target.value)}
        />
      </label>
      <FormError error={submit.error} />
      <div className="incident-actions">
        <button type="submit" className="btn btn-primary" disabled={submit.busy}>
          {t('incidents.resolveButton')}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

/** The `#number` of each linked conversation (the incident names them by id). */
function useConversationNumbers(ids: string[]): Record<string, number> {
  const [numbers, setNumbers] = useState<Record<string, number>>({});
  const key = ids.join();
  useEffect(() => {
    for (const id of key ? key.split(',') : []) {
      if (numbers[id]) continue;
      api.conversation(id).then(
        (d) => setNumbers((m) => ({ ...m, [id]: d.conversation.number })),
        () => undefined, // a conversation erased since: it shows as "…"
      );
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- fetched once per id; `numbers` only caches
  }, [key]);
  return numbers;
}
