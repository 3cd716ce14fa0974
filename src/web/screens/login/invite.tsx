import { useEffect, useState, type FormEvent } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../../api.js';

/** The token of a `/invite/<token>` address, or null on any other page. */
export const inviteTokenFromPath = (): string | null => /^\/invite\/([^/]+)$/.exec(location.pathname)?.[1] ?? null;

/** Why a link is refused, in the agent's language. */
function explain(err: unknown, t: TFunction) {
  if (err instanceof ApiError && err.status === 404) return t('invite.invalid');
  if (err instanceof ApiError && err.status === 409)
    return /used/.test(err.message) ? t('invite.used') : /expired/.test(err.message) ? t('invite.expired') : err.message;
  return (err as Error).message;
}

/**
 * The page a one-time set-password link opens: the agent chooses a password, then is signed in
 * with it (a second factor, if any, goes through the ordinary sign-in page).
 */
export function InvitePage({ token, onSignedIn, onDone }: { token: string; onSignedIn: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const [invite, setInvite] = useState<{ email: string; name: string } | null>(null);
  const [refused, setRefused] = useState<string | null>(null);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.invite.show(token).then(setInvite, (err: unknown) => setRefused(explain(err, t)));
  }, [token, t]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (password !== confirm) return setError(t('invite.mismatch'));
    setBusy(true);
    setError(null);
    try {
      const { email } = await api.invite.accept(token, password);
      history.replaceState(null, '', '/');
      try {
        await api.login(email, password);
        onSignedIn();
      } catch {
        onDone(); // a second factor or a throttle: the ordinary sign-in page takes over
      }
    } catch (err) {
      if (err instanceof ApiError && err.status !== 400) setRefused(explain(err, t));
      else setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login">
      <form className="login-card" onSubmit={submit} aria-labelledby="invite-title">
        <div className="brand brand-lg">
          <span className="brand-mark" aria-hidden="true" />
          Switchboard
        </div>
        <h1 id="invite-title">{t('invite.title')}</h1>
        {refused ? (
          <>
            <p className="form-error" role="alert">
              {refused}
            </p>
            <a
              className="btn btn-block"
              href="/"
              onClick={(e) => {
                e.preventDefault();
                history.replaceState(null, '', '/');
                onDone();
              }}
            >
              {t('invite.toSignIn')}
            </a>
          </>
        ) : invite ? (
          <>
            <p>{t('invite.welcome', { name: invite.name, email: invite.email })}</p>
            <input type="email" autoComplete="username" value={invite.email} readOnly hidden />
            <label>
              {t('invite.password')}
              <input
                type="password"
                autoComplete="new-password"
                minLength={8}
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                required
                autoFocus
              />
            </label>
            <label>
              {t('invite.confirm')}
              <input type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} required />
            </label>
            {error && (
              <p className="form-error" role="alert">
                {error}
              </p>
            )}
            <button className="btn btn-primary btn-block" disabled={busy}>
              {t('invite.submit')}
            </button>
          </>
        ) : (
          <p className="muted">{t('common.loading')}</p>
        )}
      </form>
    </main>
  );
}
