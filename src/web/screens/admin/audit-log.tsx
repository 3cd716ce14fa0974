import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { i18next } from '../../i18n.js';
import { api } from '../../api.js';
import type { Agent, AuditEntry } from '../../types.js';
import '../security/access.css';

type Filters = { actor: string; action: string; target: string; from: string; to: string };
const EMPTY: Filters = { actor: '', action: '', target: '', from: '', to: '' };

const when = (iso: string) => new Intl.DateTimeFormat(i18next.language, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso));

/** A one-line summary of an entry's details; before/after become the fields that changed. */
export function summarise(details: Record<string, unknown>): string {
  const { before, after, ...rest } = details as { before?: Record<string, unknown>; after?: Record<string, unknown> };
  const parts = Object.entries(rest)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  if (before && after) {
    const changed = Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    parts.unshift(...changed.map((k) => `${k}: ${JSON.stringify(before[k])} → ${JSON.stringify(after[k])}`));
  }
  return parts.join(' · ');
}

/**
 * The audit log (admins), `/admin/audit`: who did what, when, from where; filters, pages and a
 * CSV export. A screen of its own, ready to sit in the `/admin` area.
 */
export function AuditLog() {
  const { t } = useTranslation();
  const [agents, setAgents] = useState<Agent[]>([]);
  const [actions, setActions] = useState<{ action: string; description: string }[]>([]);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    void api.agents().then(setAgents, () => {});
    void api.auditActions().then(setActions, () => {});
  }, []);

  const query = (f: Filters) => ({
    actor: f.actor || undefined,
    action: f.action || undefined,
    target: f.target.trim() || undefined,
    from: f.from || undefined,
    to: f.to || undefined,
  });

  const load = useCallback(async (f: Filters, after?: string) => {
    setLoading(true);
    setError(null);
    try {
      const r = await api.audit({ ...query(f), limit: '100', cursor: after });
      setEntries((prev) => (after ? [...prev, ...r.entries] : r.entries));
      setCursor(r.nextCursor);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => void load(applied), [applied, load]);

  const families = [...new Set(actions.map((a) => `${a.action.split('.')[0]}.*`))];

  async function downloadCsv() {
    let blob: Blob;
    try {
      blob = await api.auditCsv(query(applied));
    } catch {
      return setError(t('audit.exportFailed'));
    }
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `switchboard-audit-${new Date().toISOString().slice(0, 10)}.csv`;
    a.click();
    URL.revokeObjectURL(url);
  }

  return (
    <main className="audit-page" aria-labelledby="audit-title">
      <div className="audit-head">
        <h1 id="audit-title">{t('audit.title')}</h1>
        <button className="btn" onClick={() => void downloadCsv()}>
          {t('audit.download')}
        </button>
      </div>
      <form
        className="audit-filters"
        aria-label={t('audit.filters')}
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          setApplied(filters);
        }}
      >
        <label>
          {t('audit.who')}
          <select value={filters.actor} onChange={(e) => setFilters({ ...filters, actor: e.target.value })}>
            <option value="">{t('audit.anyone')}</option>
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} ({a.email})
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('audit.action')}
          <select value={filters.action} onChange={(e) => setFilters({ ...filters, action: e.target.value })}>
            <option value="">{t('audit.all')}</option>
            {families.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
            {actions.map((a) => (
              <option key={a.action} value={a.action} title={a.description}>
                {a.action}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('audit.target')}
          <input
            placeholder={t('audit.targetExample')}
            value={filters.target}
            onChange={(e) => setFilters({ ...filters, target: e.target.value })}
          />
        </label>
        <label>
          {t('audit.from')}
          <input type="date" value={filters.from} onChange={(e) => setFilters({ ...filters, from: e.target.value })} />
        </label>
        <label>
          {t('audit.to')}
          <input type="date" value={filters.to} onChange={(e) => setFilters({ ...filters, to: e.target.value })} />
        </label>
        <button className="btn btn-primary">{t('audit.apply')}</button>
      </form>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <table className="audit-table" aria-label={t('audit.entries')}>
        <thead>
          <tr>
            <th scope="col">{t('audit.when')}</th>
            <th scope="col">{t('audit.who')}</th>
            <th scope="col">{t('audit.action')}</th>
            <th scope="col">{t('audit.target')}</th>
            <th scope="col">{t('audit.address')}</th>
            <th scope="col">{t('audit.details')}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id} data-testid="audit-row">
              <td className="nowrap">{when(e.at)}</td>
              <td>{e.actorEmail ?? (e.actorId ? e.actorId.slice(0, 8) : <span className="muted">—</span>)}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td className="audit-target">{e.target}</td>
              <td className="nowrap">{e.ip}</td>
              <td className="audit-details">{summarise(e.details)}</td>
            </tr>
          ))}
          {!loading && entries.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                {t('audit.none')}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {cursor && (
        <button className="btn" disabled={loading} onClick={() => void load(applied, cursor)}>
          {t('audit.older')}
        </button>
      )}
    </main>
  );
}
