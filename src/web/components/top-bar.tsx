import type { Agent } from '../types.js';
import { initials } from '../format.js';

const SETTABLE: { value: 'available' | 'away' | 'offline'; label: string }[] = [
  { value: 'available', label: 'Available' },
  { value: 'away', label: 'Away' },
  { value: 'offline', label: 'Offline' },
];

export function PresenceDot({ presence }: { presence: string }) {
  return <span className={`dot dot-${presence}`} aria-hidden="true" />;
}

/** The desk's screens, each at its own path (app.tsx). */
export type View = 'desk' | 'wallboard' | 'security' | 'audit' | 'sandbox';

export function TopBar(props: {
  me: Agent | null;
  connection: 'connecting' | 'online' | 'offline';
  view: View;
  onNavigate: (v: View) => void;
  onPresence: (p: 'available' | 'away' | 'offline') => void;
  onLogout: () => void;
  onHelp: () => void;
  /** The sandbox is on: admins get its screen. */
  sandbox?: boolean;
}) {
  const { me, connection, view } = props;
  const system = me && (me.presence === 'busy' || me.presence === 'wrap-up');
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        Switchboard
      </div>
      {me && me.role !== 'agent' && (
        <nav className="tabs" aria-label="Views">
          <button
            className={view === 'desk' ? 'tab active' : 'tab'}
            aria-current={view === 'desk' ? 'page' : undefined}
            onClick={() => props.onNavigate('desk')}
          >
            Desk
          </button>
          <button
            className={view === 'wallboard' ? 'tab active' : 'tab'}
            aria-current={view === 'wallboard' ? 'page' : undefined}
            onClick={() => props.onNavigate('wallboard')}
          >
            Wallboard
          </button>
          {me.role === 'admin' && (
            <button
              className={view === 'audit' ? 'tab active' : 'tab'}
              aria-current={view === 'audit' ? 'page' : undefined}
              onClick={() => props.onNavigate('audit')}
            >
              Audit log
            </button>
          )}
          {me.role === 'admin' && props.sandbox && (
            <button
              className={view === 'sandbox' ? 'tab active' : 'tab'}
              aria-current={view === 'sandbox' ? 'page' : undefined}
              onClick={() => props.onNavigate('sandbox')}
            >
              Sandbox
            </button>
          )}
        </nav>
      )}
      <div className="topbar-spacer" />
      <span className={`conn conn-${connection}`} role="status" aria-live="polite" data-testid="connection">
        <span className="dot" aria-hidden="true" />
        {connection === 'online' ? 'Live' : connection === 'connecting' ? 'Connecting…' : 'Offline'}
      </span>
      {me && (
        <div className="presence" role="group" aria-label="My presence">
          {SETTABLE.map((p) => (
            <button
              key={p.value}
              className={`presence-btn ${me.presence === p.value ? `on on-${p.value}` : ''}`}
              aria-pressed={me.presence === p.value}
              onClick={() => props.onPresence(p.value)}
            >
              <PresenceDot presence={p.value} />
              {p.label}
            </button>
          ))}
          {system && (
            <span className={`presence-system on-${me.presence}`} title="Set by Switchboard while you work">
              {me.presence === 'busy' ? 'Busy' : 'Wrap-up'}
            </span>
          )}
        </div>
      )}
      <button className="icon-btn" onClick={props.onHelp} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">
        ?
      </button>
      {me && (
        <div className="me" title={me.email}>
          <span className="avatar" aria-hidden="true">
            {initials(me.name)}
          </span>
          <span className="me-name">{me.name}</span>
        </div>
      )}
      <button
        className={view === 'security' ? 'btn btn-ghost active' : 'btn btn-ghost'}
        aria-current={view === 'security' ? 'page' : undefined}
        onClick={() => props.onNavigate(view === 'security' ? 'desk' : 'security')}
      >
        Security
      </button>
      <button className="btn btn-ghost" onClick={props.onLogout}>
        Sign out
      </button>
    </header>
  );
}
