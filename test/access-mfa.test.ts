import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../src/core/auth/totp.js';
import { ADMIN, startTestApp, type TestApp } from './helpers/harness.js';

/** TOTP enrolment, sign-in with a code or a recovery code, and MFA_REQUIRED_FOR. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('access-mfa', { MFA_REQUIRED_FOR: 'admin,supervisor', TRUST_PROXY: '1' });
  // The admin's role requires MFA: until enrolled, its token opens nothing but enrolment.
  expect((await app.api('GET', '/api/agents')).body.error.code).toBe('mfa_enrolment_required');
  const { secret } = (await app.api('POST', '/api/me/mfa/setup')).body;
  expect((await app.api('POST', '/api/me/mfa/enable', { code: totpCode(secret) })).status).toBe(200);
});
afterAll(async () => {
  await app?.stop();
});

let n = 1;
async function login(body: Record<string, unknown>) {
  // Each attempt from its own address, so this file's failures never trip the address throttle.
  const res = await fetch(`${app.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': `192.0.2.${n++}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** The code of the current 30-second step, or of a later one (a step's code is accepted once). */
const codeAt = (secret: string, offsetSteps = 0) => totpCode(secret, Date.now() + offsetSteps * 30_000);

describe('MFA', () => {
  it('an agent enrols, then signs in with password and code; a code is good once; recovery codes work once each', async () => {
    const dana = await app.agent({ name: 'Dana Mfa', available: false });
    expect((await app.api('GET', '/api/me/mfa', undefined, dana.token)).body).toEqual({
      enabled: false,
      recoveryCodesLeft: 0,
      required: false,
    });

    const setup = await app.api('POST', '/api/me/mfa/setup', undefined, dana.token);
    expect(setup.status).toBe(200);
    const { secret, otpauthUrl } = setup.body;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUrl).toMatch(/^otpauth:\/\/totp\/Switchboard:.+\?.*secret=/);
    expect(otpauthUrl).toContain(`secret=${secret}`);
    // Not in force until a code proves the app has it.
    expect((await login({ email: dana.email, password: 'agent-password-1' })).status).toBe(200);
    expect((await app.api('POST', '/api/me/mfa/enable', { code: '000000' }, dana.token)).status).toBe(400);

    const enabled = await app.api('POST', '/api/me/mfa/enable', { code: codeAt(secret) }, dana.token);
    expect(enabled.status).toBe(200);
    const recovery: string[] = enabled.body.recoveryCodes;
    expect(recovery).toHaveLength(10);
    expect(new Set(recovery).size).toBe(10);
    expect((await app.api('POST', '/api/me/mfa/setup', undefined, dana.token)).status).toBe(409);

    // Password alone: 401 mfa_required (and it does not count as a failed guess).
    const noCode = await login({ email: dana.email, password: 'agent-password-1' });
    expect(noCode.status).toBe(401);
    expect(noCode.body.error.code).toBe('mfa_required');
    // The enabling code was used for this step already: a later step's code works, once.
    const next = codeAt(secret, 1);
    const ok = await login({ email: dana.email, password: 'agent-password-1', code: next });
    expect(ok.status).toBe(200);
    expect((await login({ email: dana.email, password: 'agent-password-1', code: next })).status).toBe(401);
    expect((await login({ email: dana.email, password: 'agent-password-1', code: '123456' })).status).toBe(401);
    // A wrong password with a right code is still a wrong password.
    expect((await login({ email: dana.email, password: 'nope', code: codeAt(secret, 1) })).status).toBe(401);

    // Recovery codes: once each, with or without the dash, any case.
    const r0 = await login({ email: dana.email, password: 'agent-password-1', code: recovery[0].toUpperCase().replace('-', '') });
    expect(r0.status).toBe(200);
    expect((await login({ email: dana.email, password: 'agent-password-1', code: recovery[0] })).status).toBe(401);
    expect((await app.api('GET', '/api/me/mfa', undefined, r0.body.token)).body).toMatchObject({ enabled: true, recoveryCodesLeft: 9 });
    expect((await app.api('GET', '/api/me', undefined, r0.body.token)).body.agent.mfaEnabled).toBe(true);

    const audit = (await app.api('GET', `/api/audit?target=agent:${dana.id}`)).body.entries.map((e: any) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['auth.mfa_enabled', 'auth.mfa_recovery_used', 'auth.login', 'auth.login_failed']));
    const failures = (await app.api('GET', `/api/audit?action=auth.login_failed&target=agent:${dana.id}`)).body.entries;
    expect(failures.map((e: any) => e.details.reason).sort()).toEqual(['mfa', 'mfa', 'mfa', 'password']);

    // Turning it off needs a current factor; then the password alone is enough again.
    expect((await app.api('DELETE', '/api/me/mfa', { code: '111111' }, r0.body.token)).status).toBe(400);
    expect((await app.api('DELETE', '/api/me/mfa', { code: recovery[1] }, r0.body.token)).status).toBe(204);
    expect((await login({ email: dana.email, password: 'agent-password-1' })).status).toBe(200);
  });

  it('recovery codes are stored hashed, never as issued', async () => {
    const lee = await app.agent({ name: 'Lee Hash', available: false });
    const { secret } = (await app.api('POST', '/api/me/mfa/setup', undefined, lee.token)).body;
    const { recoveryCodes } = (await app.api('POST', '/api/me/mfa/enable', { code: codeAt(secret) }, lee.token)).body;
    const rows = await app.sb.deps.db.execute<{ code_hash: string }>(
      `select code_hash from mfa_recovery_codes where agent_id = '${lee.id}'` as never,
    );
    const stored = [...rows].map((r) => r.code_hash);
    expect(stored).toHaveLength(10);
    for (const code of recoveryCodes) for (const h of stored) expect(h).not.toContain(code.replace('-', ''));
    const [agent] = [
      ...(await app.sb.deps.db.execute<{ mfa_secret: string }>(`select mfa_secret from agents where id = '${lee.id}'` as never)),
    ];
    expect(agent.mfa_secret).not.toContain(secret);
  });

  it('MFA_REQUIRED_FOR: a supervisor without MFA can only enrol; once enrolled, everything opens', async () => {
    const sup = await app.agent({ name: 'Sue Required', role: 'supervisor', available: false });
    const me = await app.api('GET', '/api/me', undefined, sup.token);
    expect(me.body.mfaEnrolmentRequired).toBe(true);
    const blocked = await app.api('GET', '/api/conversations', undefined, sup.token);
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('mfa_enrolment_required');
    const { secret } = (await app.api('POST', '/api/me/mfa/setup', undefined, sup.token)).body;
    expect((await app.api('POST', '/api/me/mfa/enable', { code: codeAt(secret) }, sup.token)).status).toBe(200);
    expect((await app.api('GET', '/api/conversations', undefined, sup.token)).status).toBe(200);
    // It cannot be switched off while the role requires it.
    expect((await app.api('DELETE', '/api/me/mfa', { code: codeAt(secret, 1) }, sup.token)).status).toBe(403);
    // Plain agents are not asked.
    const agent = await app.agent({ name: 'Al Agent', available: false });
    expect((await app.api('GET', '/api/conversations', undefined, agent.token)).status).toBe(200);
  });

  it('an admin resets a lost second factor; the agent signs in with the password and must enrol again if required', async () => {
    const sup = await app.agent({ name: 'Sam Lost Phone', role: 'supervisor', available: false });
    const { secret } = (await app.api('POST', '/api/me/mfa/setup', undefined, sup.token)).body;
    await app.api('POST', '/api/me/mfa/enable', { code: codeAt(secret) }, sup.token);
    expect((await login({ email: sup.email, password: 'agent-password-1' })).body.error.code).toBe('mfa_required');

    const reset = await app.api('DELETE', `/api/agents/${sup.id}/mfa`);
    expect(reset.status).toBe(200);
    expect(reset.body.agent.mfaEnabled).toBe(false);
    const again = await login({ email: sup.email, password: 'agent-password-1' });
    expect(again.status).toBe(200);
    expect((await app.api('GET', '/api/me', undefined, again.body.token)).body.mfaEnrolmentRequired).toBe(true);
    expect((await app.api('GET', `/api/audit?action=agent.mfa_reset&target=agent:${sup.id}`)).body.entries).toHaveLength(1);
    // And the admin (enrolled in beforeAll) now signs in with a code.
    expect((await login({ email: ADMIN.email, password: ADMIN.password })).body.error.code).toBe('mfa_required');
  });
});
