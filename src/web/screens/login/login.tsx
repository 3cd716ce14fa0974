import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../../api.js';
import { askNotificationPermission } from '../../alerts.js';

/** Why single sign-on sent the browser back without a session (`?sso_error=` from the callback). */
const SSO_ERRORS: Record<string, string> = {
  no_account: 'Your organisation account has no agent here yet. Ask an admin to add you.',
  unverified_email: 'Your identity provider did not confirm your email address.',
  inactive: 'This account is deactivated.',
  failed: 'Single sign-on failed. Try again.',
};

function explain(err: unknown): string {
  if (err instanceof ApiError && err.code === 'too_many_requests') {
    const minutes = Math.max(1, Math.ceil((err.retryAfter ?? 60) / 60));
    return `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
  }
  const m = (err as Error).message || 'Login failed';
  return m[0].toUpperCase() + m.slice(1);
}

export function Login({ onLoggedIn }: { onLoggedIn: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needCode, setNeedCode] = useState(false);
  const [sso, setSso] = useState<{ label: string; start: string } | null>(null);
  const [error, setError] = useState<string | null>(() => {
    const reason = new URLSearchParams(location.search).get('sso_error');
    return reason ? (SSO_ERRORS[reason] ?? SSO_ERRORS.failed) : null;
  });
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void api.authOptions().then(
      (o) => setSso(o.oidc),
      () => {},
    );
    if (location.search.includes('sso_error')) history.replaceState(null, '', location.pathname);
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    askNotificationPermission();
    setBusy(true);
    setError(null);
    try {
      await api.login(email, password, needCode ? code : undefined);
      onLoggedIn();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'mfa_required') {
        setNeedCode(true);
        if (needCode) setError('Wrong or already used code.');
      } else {
        setError(explain(err));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <div className="brand brand-lg">
          <span className="brand-mark" aria-hidden="true" />
          Switchboard
        </div>
        <h1 id="login-title">Sign in to the agent desk</h1>
        <label>
          Email
          <input type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
        </label>
        <label>
          Password
          <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {needCode && (
          <label>
            Code from your authenticator app (or a recovery code)
            <input
              autoComplete="one-time-code"
              inputMode="numeric"
              value={code}
              onChange={(e) => setCode(e.target.value.trim())}
              required
              autoFocus
            />
          </label>
        )}
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Signing in…' : needCode ? 'Verify' : 'Sign in'}
        </button>
        {sso && (
          <a className="btn btn-block" href={`${sso.start}?returnTo=${encodeURIComponent(location.pathname)}`}>
            Sign in with {sso.label}
          </a>
        )}
        <p className="muted small">SMS, calls, email and Slack in one place.</p>
      </form>
    </main>
  );
}
