import { useEffect, useRef, useState, type FormEvent } from 'react';
import QRCode from 'qrcode';
import { api, ApiError } from '../../api.js';
import './access.css';

type MfaState = { enabled: boolean; recoveryCodesLeft: number; required: boolean };

const message = (err: unknown) => {
  const m = err instanceof ApiError || err instanceof Error ? err.message : 'Something went wrong';
  return m.charAt(0).toUpperCase() + m.slice(1);
};

/**
 * "Security" (`/account/security`): two-factor sign-in (TOTP with a QR code, recovery codes) and
 * the password. With `enrolmentRequired` it is the only screen an agent whose role requires MFA
 * sees until they have enrolled.
 */
export function SecurityPage(props: { enrolmentRequired?: boolean; onEnrolled?: () => void; onLogout?: () => void }) {
  const [mfa, setMfa] = useState<MfaState | null>(null);
  const reload = () =>
    void api.mfaStatus().then(setMfa, () => setMfa({ enabled: false, recoveryCodesLeft: 0, required: !!props.enrolmentRequired }));
  useEffect(reload, [props.enrolmentRequired]);

  return (
    <main className={props.enrolmentRequired ? 'security-page security-gate' : 'security-page'} aria-labelledby="security-title">
      <h1 id="security-title">{props.enrolmentRequired ? 'Set up two-factor sign-in' : 'Security'}</h1>
      {props.enrolmentRequired && (
        <p className="security-lead">
          Your role requires a second factor. Set up an authenticator app to open the desk.{' '}
          <button className="btn btn-ghost btn-sm" onClick={props.onLogout}>
            Sign out
          </button>
        </p>
      )}
      {mfa && (
        <TwoFactor
          state={mfa}
          onChanged={() => {
            reload();
            props.onEnrolled?.();
          }}
          enrolmentRequired={!!props.enrolmentRequired}
        />
      )}
      {!props.enrolmentRequired && <PasswordForm />}
    </main>
  );
}

function TwoFactor({ state, onChanged, enrolmentRequired }: { state: MfaState; onChanged: () => void; enrolmentRequired: boolean }) {
  const [setup, setSetup] = useState<{ secret: string; otpauthUrl: string } | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    if (setup && canvas.current) void QRCode.toCanvas(canvas.current, setup.otpauthUrl, { width: 200, margin: 1 });
  }, [setup]);

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  if (codes) {
    return (
      <section className="card security-card" aria-labelledby="codes-title">
        <h2 id="codes-title">Your recovery codes</h2>
        <p>Each code signs you in once if you lose your phone. Keep them somewhere safe (a password manager); they are shown only now.</p>
        <ol className="recovery-codes" data-testid="recovery-codes">
          {codes.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ol>
        <button
          className="btn btn-primary"
          onClick={() => {
            setCodes(null);
            onChanged();
          }}
        >
          I have saved them
        </button>
      </section>
    );
  }

  if (!state.enabled) {
    return (
      <section className="card security-card" aria-labelledby="mfa-title">
        <h2 id="mfa-title">Two-factor sign-in</h2>
        {!setup ? (
          <>
            <p>
              {enrolmentRequired ? 'Required for your role.' : 'Off.'} With it on, signing in also asks for a 6-digit code from an
              authenticator app (Microsoft Authenticator, Google Authenticator, 1Password…).
            </p>
            <button className="btn btn-primary" disabled={busy} onClick={() => void run(async () => setSetup(await api.mfaSetup()))}>
              Set up two-factor sign-in
            </button>
          </>
        ) : (
          <form
            className="mfa-setup"
            onSubmit={(e: FormEvent) => {
              e.preventDefault();
              void run(async () => setCodes((await api.mfaEnable(code)).recoveryCodes));
            }}
          >
            <p>1. Scan this code with your authenticator app.</p>
            <canvas ref={canvas} className="mfa-qr" role="img" aria-label="QR code for your authenticator app" />
            <p className="small muted">
              Cannot scan? Enter this key: <code data-testid="mfa-secret">{setup.secret.replace(/(.{4})/g, '$1 ').trim()}</code>
            </p>
            <label>
              2. Enter the 6-digit code it shows
              <input
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="\d{6}"
                maxLength={6}
                value={code}
                onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
                required
                autoFocus
              />
            </label>
            {error && (
              <p className="form-error" role="alert">
                {error}
              </p>
            )}
            <button className="btn btn-primary" disabled={busy || code.length !== 6}>
              Turn on
            </button>
          </form>
        )}
        {!setup && error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </section>
    );
  }

  return (
    <section className="card security-card" aria-labelledby="mfa-title">
      <h2 id="mfa-title">Two-factor sign-in</h2>
      <p data-testid="mfa-status">
        <strong>On.</strong> {state.recoveryCodesLeft} recovery code{state.recoveryCodesLeft === 1 ? '' : 's'} left.
        {state.required && ' Required for your role.'}
      </p>
      <form className="mfa-manage" onSubmit={(e) => e.preventDefault()}>
        <label>
          Code from your app (or a recovery code)
          <input autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value.trim())} />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="row-actions">
          <button
            className="btn"
            disabled={busy || !code}
            onClick={() => void run(async () => setCodes((await api.mfaNewRecoveryCodes(code)).recoveryCodes))}
          >
            New recovery codes
          </button>
          {!state.required && (
            <button
              className="btn btn-danger"
              disabled={busy || !code}
              onClick={() =>
                void run(async () => {
                  await api.mfaDisable(code);
                  setCode('');
                  onChanged();
                })
              }
            >
              Turn off
            </button>
          )}
        </div>
      </form>
    </section>
  );
}

/** A password someone else chose (the generated first-admin one, an admin's reset) opens only this. */
export function PasswordGate({ onChanged, onLogout }: { onChanged: () => void; onLogout: () => void }) {
  return (
    <main className="security-page security-gate" aria-labelledby="password-gate-title">
      <h1 id="password-gate-title">Choose your own password</h1>
      <p className="security-lead">
        The password you signed in with was given to you. Choose your own to open the desk.{' '}
        <button className="btn btn-ghost btn-sm" onClick={onLogout}>
          Sign out
        </button>
      </p>
      <PasswordForm onChanged={onChanged} />
    </main>
  );
}

function PasswordForm({ onChanged }: { onChanged?: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (next !== again) return setStatus({ ok: false, text: 'The new passwords differ.' });
    setBusy(true);
    setStatus(null);
    try {
      await api.changePassword(current, next);
      setCurrent('');
      setNext('');
      setAgain('');
      setStatus({ ok: true, text: 'Password changed. Your other sessions were signed out.' });
      onChanged?.();
    } catch (err) {
      setStatus({ ok: false, text: message(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card security-card" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <form onSubmit={submit}>
        <label>
          Current password
          <input type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
        </label>
        <label>
          New password (8 characters or more)
          <input
            type="password"
            autoComplete="new-password"
            minLength={8}
            value={next}
            onChange={(e) => setNext(e.target.value)}
            required
          />
        </label>
        <label>
          New password again
          <input type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} required />
        </label>
        {status && (
          <p className={status.ok ? 'form-ok' : 'form-error'} role={status.ok ? 'status' : 'alert'}>
            {status.text}
          </p>
        )}
        <button className="btn btn-primary" disabled={busy}>
          Change password
        </button>
      </form>
    </section>
  );
}
