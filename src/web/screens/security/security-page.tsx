import { useEffect, useRef, useState, type FormEvent } from 'react';
import QRCode from 'qrcode';
import { useTranslation } from 'react-i18next';
import { i18next } from '../../i18n.js';
import { api, ApiError } from '../../api.js';
import './access.css';

type MfaState = { enabled: boolean; recoveryCodesLeft: number; required: boolean };

const message = (err: unknown) => {
  const m = err instanceof ApiError || err instanceof Error ? err.message : i18next.t('conversation.errors.unknown');
  return m.charAt(0).toUpperCase() + m.slice(1);
};

/**
 * "Security" (`/account/security`): two-factor sign-in (TOTP with a QR code, recovery codes) and
 * the password. With `enrolmentRequired` it is the only screen an agent whose role requires MFA
 * sees until they have enrolled.
 */
export function SecurityPage(props: { enrolmentRequired?: boolean; onEnrolled?: () => void; onLogout?: () => void }) {
  const { t } = useTranslation();
  const [mfa, setMfa] = useState<MfaState | null>(null);
  const reload = () =>
    void api.mfaStatus().then(setMfa, () => setMfa({ enabled: false, recoveryCodesLeft: 0, required: !!props.enrolmentRequired }));
  useEffect(reload, [props.enrolmentRequired]);

  return (
    <main className={props.enrolmentRequired ? 'security-page security-gate' : 'security-page'} aria-labelledby="security-title">
      <h1 id="security-title">{props.enrolmentRequired ? t('security.setUp') : t('security.title')}</h1>
      {props.enrolmentRequired && (
        <p className="security-lead">
          {t('security.requiredLead')}{' '}
          <button className="btn btn-ghost btn-sm" onClick={props.onLogout}>
            {t('topbar.signOut')}
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
  const { t } = useTranslation();
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
        <h2 id="codes-title">{t('security.codesTitle')}</h2>
        <p>{t('security.codesHint')}</p>
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
          {t('security.codesSaved')}
        </button>
      </section>
    );
  }

  if (!state.enabled) {
    return (
      <section className="card security-card" aria-labelledby="mfa-title">
        <h2 id="mfa-title">{t('security.mfaTitle')}</h2>
        {!setup ? (
          <>
            <p>
              {enrolmentRequired ? t('security.requiredForRole') : t('security.off')} {t('security.mfaHint')}
            </p>
            <button className="btn btn-primary" disabled={busy} onClick={() => void run(async () => setSetup(await api.mfaSetup()))}>
              {t('security.setUp')}
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
            <p>{t('security.scan')}</p>
            <canvas ref={canvas} className="mfa-qr" role="img" aria-label={t('security.qr')} />
            <p className="small muted">
              {t('security.cannotScan')} <code data-testid="mfa-secret">{setup.secret.replace(/(.{4})/g, '$1 ').trim()}</code>
            </p>
            <label>
              {t('security.enterCode')}
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
              {t('security.turnOn')}
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
      <h2 id="mfa-title">{t('security.mfaTitle')}</h2>
      <p data-testid="mfa-status">
        <strong>{t('security.on')}</strong> {t('security.codesLeft', { count: state.recoveryCodesLeft })}
        {state.required && ` ${t('security.requiredForRole')}`}
      </p>
      <form className="mfa-manage" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('security.manageCode')}
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
            {t('security.newCodes')}
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
              {t('security.turnOff')}
            </button>
          )}
        </div>
      </form>
    </section>
  );
}

/** A password someone else chose (the generated first-admin one, an admin's reset) opens only this. */
export function PasswordGate({ onChanged, onLogout }: { onChanged: () => void; onLogout: () => void }) {
  const { t } = useTranslation();
  return (
    <main className="security-page security-gate" aria-labelledby="password-gate-title">
      <h1 id="password-gate-title">{t('security.gateTitle')}</h1>
      <p className="security-lead">
        {t('security.gateLead')}{' '}
        <button className="btn btn-ghost btn-sm" onClick={onLogout}>
          {t('topbar.signOut')}
        </button>
      </p>
      <PasswordForm onChanged={onChanged} />
    </main>
  );
}

function PasswordForm({ onChanged }: { onChanged?: () => void }) {
  const { t } = useTranslation();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (next !== again) return setStatus({ ok: false, text: t('security.differ') });
    setBusy(true);
    setStatus(null);
    try {
      await api.changePassword(current, next);
      setCurrent('');
      setNext('');
      setAgain('');
      setStatus({ ok: true, text: t('security.changed') });
      onChanged?.();
    } catch (err) {
      setStatus({ ok: false, text: message(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card security-card" aria-labelledby="password-title">
      <h2 id="password-title">{t('security.password')}</h2>
      <form onSubmit={submit}>
        <label>
          {t('security.current')}
          <input type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
        </label>
        <label>
          {t('security.new')}
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
          {t('security.again')}
          <input type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} required />
        </label>
        {status && (
          <p className={status.ok ? 'form-ok' : 'form-error'} role={status.ok ? 'status' : 'alert'}>
            {status.text}
          </p>
        )}
        <button className="btn btn-primary" disabled={busy}>
          {t('security.change')}
        </button>
      </form>
    </section>
  );
}
