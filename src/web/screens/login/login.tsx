import { useEffect, useState, type FormEvent } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api.js';
import { askNotificationPermission } from '../../alerts.js';

/** Why single sign-on sent the browser back without a session (`?sso_error=` from the callback): keys under `login.sso`. */
const SSO_ERRORS = ['no_account', 'unverified_email', 'inactive', 'failed'];

function explain(err: unknown, t: TFunction): string {
  if (err instanceof ApiError && err.code === 'too_many_requests') {
    const minutes = Math.max(1, Math.ceil((err.retryAfter ?? 60) / 60));
    return t('login.throttled', { count: minutes });
  }
  const m = (err as Error).message || t('login.failed');
  return m[0].toUpperCase() + m.slice(1);
}

export function Login({ onLoggedIn }: { onLoggedIn: () => void }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needCode, setNeedCode] = useState(false);
  const [sso, setSso] = useState<{ label: string; start: string } | null>(null);
  const [error, setError] = useState<string | null>(() => {
    const reason = new URLSearchParams(location.search).get('sso_error');
    return reason ? t(`login.sso.${SSO_ERRORS.includes(reason) ? reason : 'failed'}`) : null;
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
        if (needCode) setError(t('login.wrongCode'));
      } else {
        setError(explain(err, t));
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
        <h1 id="login-title">{t('login.title')}</h1>
        <label>
          {t('login.email')}
          <input type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
        </label>
        <label>
          {t('login.password')}
          <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {needCode && (
          <label>
            {t('login.code')}
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
          {busy ? t('login.signingIn') : needCode ? t('login.verify') : t('login.signIn')}
        </button>
        {sso && (
          <a className="btn btn-block" href={`${sso.start}?returnTo=${encodeURIComponent(location.pathname)}`}>
            {t('login.signInWith', { provider: sso.label })}
          </a>
        )}
        <p className="muted small">{t('login.tagline')}</p>
      </form>
    </main>
  );
}
