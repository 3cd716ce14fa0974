import { useTranslation } from 'react-i18next';
import type { Agent } from '../types.js';
import { initials } from '../format.js';
import { DESK_LANGUAGES, LANGUAGE_NAMES, type DeskLanguage } from '../i18n.js';

const SETTABLE = ['available', 'away', 'offline'] as const;

export function PresenceDot({ presence }: { presence: string }) {
  return <span className={`dot dot-${presence}`} aria-hidden="true" />;
}

/** The desk's screens, each at its own path (app.tsx). */
export type View = 'desk' | 'wallboard' | 'reports' | 'reviews' | 'security' | 'audit' | 'admin' | 'sandbox' | 'incidents' | 'contact';

export function TopBar(props: {
  me: Agent | null;
  connection: 'connecting' | 'online' | 'offline';
  view: View;
  onNavigate: (v: View) => void;
  onPresence: (p: 'available' | 'away' | 'offline') => void;
  onLogout: () => void;
  onHelp: () => void;
  onLanguage: (l: DeskLanguage) => void;
  /** The sandbox is on: admins get its screen. */
  sandbox?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const { me, connection, view } = props;
  const system = me && (me.presence === 'busy' || me.presence === 'wrap-up');
  const tab = (v: View, label: string) => (
    <button
      className={view === v ? 'tab active' : 'tab'}
      aria-current={view === v ? 'page' : undefined}
      onClick={() => props.onNavigate(v)}
    >
      {label}
    </button>
  );
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        Switchboard
      </div>
      {me && me.role !== 'agent' && (
        <nav className="tabs" aria-label={t('topbar.views')}>
          {tab('desk', t('topbar.desk'))}
          {tab('wallboard', t('topbar.wallboard'))}
          {tab('reports', t('topbar.reports'))}
          {tab('reviews', t('topbar.reviews'))}
          {tab('incidents', t('topbar.incidents'))}
          {tab('admin', t('topbar.admin'))}
          {me.role === 'admin' && tab('audit', t('topbar.audit'))}
          {me.role === 'admin' && props.sandbox && tab('sandbox', t('topbar.sandbox'))}
        </nav>
      )}
      {me && me.role === 'agent' && (
        <nav className="tabs" aria-label={t('topbar.views')}>
          {tab('desk', t('topbar.desk'))}
          {tab('reviews', t('topbar.myReviews'))}
        </nav>
      )}
      <div className="topbar-spacer" />
      <span className={`conn conn-${connection}`} role="status" aria-live="polite" data-testid="connection">
        <span className="dot" aria-hidden="true" />
        {connection === 'online' ? t('topbar.live') : connection === 'connecting' ? t('topbar.connecting') : t('topbar.offline')}
      </span>
      {me && (
        <div className="presence" role="group" aria-label={t('topbar.presence')}>
          {SETTABLE.map((p) => (
            <button
              key={p}
              className={`presence-btn ${me.presence === p ? `on on-${p}` : ''}`}
              aria-pressed={me.presence === p}
              onClick={() => props.onPresence(p)}
            >
              <PresenceDot presence={p} />
              {t(`presence.${p}`)}
            </button>
          ))}
          {system && (
            <span className={`presence-system on-${me.presence}`} title={t('topbar.systemPresence')}>
              {me.presence === 'busy' ? t('presence.busy') : t('presence.wrap-up')}
            </span>
          )}
        </div>
      )}
      <label className="sr-only" htmlFor="desk-language">
        {t('topbar.language')}
      </label>
      <select
        id="desk-language"
        className="lang-select"
        value={i18n.language}
        onChange={(e) => props.onLanguage(e.target.value as DeskLanguage)}
      >
        {DESK_LANGUAGES.map((l) => (
          <option key={l} value={l}>
            {LANGUAGE_NAMES[l]}
          </option>
        ))}
      </select>
      <button className="icon-btn" onClick={props.onHelp} aria-label={t('topbar.shortcuts')} title={t('topbar.shortcutsTitle')}>
        ?
      </button>
      {me && (
        <div className="me" title={me.email}>
          <span className="avatar" aria-hidden="true">
            {initials(me.name)}
          </span>
          <bdi className="me-name">{me.name}</bdi>
        </div>
      )}
      <button
        className={view === 'security' ? 'btn btn-ghost active' : 'btn btn-ghost'}
        aria-current={view === 'security' ? 'page' : undefined}
        onClick={() => props.onNavigate(view === 'security' ? 'desk' : 'security')}
      >
        {t('topbar.security')}
      </button>
      <button className="btn btn-ghost" onClick={props.onLogout}>
        {t('topbar.signOut')}
      </button>
    </header>
  );
}
