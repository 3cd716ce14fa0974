import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { agents, mfaRecoveryCodes, type AgentRow } from '../../db/schema.js';
import { recordAudit, type AuditContext } from '../audit/record-audit.js';
import { AppError, conflict, notFound } from '../errors.js';
import type { Deps } from '../ports.js';
import { open, seal } from './secret-box.js';
import { hashRecoveryCode, looksLikeRecoveryCode, newRecoveryCodes, newTotpSecret, otpauthUrl, totpStep } from './totp.js';

/**
 * Second factor: TOTP enrolment (setup → enable with a first code), one-time recovery codes,
 * and the check used at sign-in. The seed is stored sealed (secret-box.ts), recovery codes as
 * keyed hashes.
 */
type MfaDeps = Pick<Deps, 'db' | 'config'>;

async function loadAgent(db: DbOrTx, agentId: string): Promise<AgentRow> {
  const [a] = await db.select().from(agents).where(eq(agents.id, agentId));
  if (!a) throw notFound('agent');
  return a;
}

/** Starts (or restarts) enrolment: a new secret, not in force until `enableMfa` sees a code from it. */
export async function startMfaSetup(deps: MfaDeps, agentId: string): Promise<{ secret: string; otpauthUrl: string }> {
  const a = await loadAgent(deps.db, agentId);
  if (a.mfaEnabledAt) throw conflict('MFA is already enabled; disable it first to enrol a new device');
  const secret = newTotpSecret();
  await deps.db
    .update(agents)
    .set({ mfaSecret: seal(deps.config.access.mfaSecretKey, secret), mfaLastStep: null })
    .where(eq(agents.id, agentId));
  return { secret, otpauthUrl: otpauthUrl(secret, a.email) };
}

/** Turns MFA on once the agent proves the app works; answers the recovery codes (shown once). */
export async function enableMfa(deps: MfaDeps, agentId: string, code: string, ctx: AuditContext): Promise<{ recoveryCodes: string[] }> {
  return deps.db.transaction(async (tx) => {
    const [a] = await tx.select().from(agents).where(eq(agents.id, agentId)).for('update');
    if (!a) throw notFound('agent');
    if (a.mfaEnabledAt) throw conflict('MFA is already enabled');
    const secret = a.mfaSecret ? open(deps.config.access.mfaSecretKey, a.mfaSecret) : null;
    if (!secret) throw new AppError('bad_request', 'start with POST /api/me/mfa/setup');
    const step = totpStep(secret, code.trim());
    if (step === null) throw new AppError('bad_request', 'code: wrong code; check the time on the device');
    await tx.update(agents).set({ mfaEnabledAt: new Date(), mfaLastStep: step }).where(eq(agents.id, agentId));
    const recoveryCodes = await replaceRecoveryCodes(tx, deps.config.access.mfaSecretKey, agentId);
    await recordAudit(tx, { ...ctx, action: 'auth.mfa_enabled', target: `agent:${agentId}` });
    return { recoveryCodes };
  });
}

/** New recovery codes (the old ones stop working); needs a current second factor. */
export async function regenerateRecoveryCodes(deps: MfaDeps, agentId: string, code: string, ctx: AuditContext) {
  return deps.db.transaction(async (tx) => {
    const a = await loadAgent(tx, agentId);
    if (!a.mfaEnabledAt) throw new AppError('bad_request', 'MFA is not enabled');
    if (!(await checkSecondFactor(tx, deps.config.access.mfaSecretKey, a, code))) throw new AppError('bad_request', 'code: wrong code');
    const recoveryCodes = await replaceRecoveryCodes(tx, deps.config.access.mfaSecretKey, agentId);
    await recordAudit(tx, { ...ctx, action: 'auth.mfa_recovery_codes_renewed', target: `agent:${agentId}` });
    return { recoveryCodes };
  });
}

/** Turns MFA off for oneself; needs a current second factor. */
export async function disableMfa(deps: MfaDeps, agentId: string, code: string, ctx: AuditContext) {
  await deps.db.transaction(async (tx) => {
    const a = await loadAgent(tx, agentId);
    if (!a.mfaEnabledAt) throw new AppError('bad_request', 'MFA is not enabled');
    if (!(await checkSecondFactor(tx, deps.config.access.mfaSecretKey, a, code))) throw new AppError('bad_request', 'code: wrong code');
    await clearMfa(tx, agentId);
    await recordAudit(tx, { ...ctx, action: 'auth.mfa_disabled', target: `agent:${agentId}` });
  });
}

/** An admin removes an agent's second factor (lost phone); the agent enrols again at next sign-in if the role requires it. */
export async function resetMfa(deps: MfaDeps, agentId: string, ctx: AuditContext) {
  await deps.db.transaction(async (tx) => {
    const a = await loadAgent(tx, agentId);
    await clearMfa(tx, agentId);
    await recordAudit(tx, { ...ctx, action: 'agent.mfa_reset', target: `agent:${agentId}`, details: { hadMfa: !!a.mfaEnabledAt } });
  });
}

async function clearMfa(tx: DbOrTx, agentId: string) {
  await tx.update(agents).set({ mfaSecret: null, mfaEnabledAt: null, mfaLastStep: null }).where(eq(agents.id, agentId));
  await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.agentId, agentId));
}

async function replaceRecoveryCodes(tx: DbOrTx, key: string, agentId: string) {
  const codes = newRecoveryCodes();
  await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.agentId, agentId));
  await tx.insert(mfaRecoveryCodes).values(codes.map((c) => ({ agentId, codeHash: hashRecoveryCode(key, c) })));
  return codes;
}

/**
 * Checks a TOTP code or a recovery code and uses it up, atomically: a TOTP step is accepted
 * once (a later step only), a recovery code once. Answers which kind matched, or null.
 */
export async function checkSecondFactor(db: DbOrTx, key: string, a: AgentRow, code: string): Promise<'totp' | 'recovery' | null> {
  const c = code.trim();
  const secret = a.mfaSecret ? open(key, a.mfaSecret) : null;
  const step = secret ? totpStep(secret, c) : null;
  if (step !== null) {
    const used = await db
      .update(agents)
      .set({ mfaLastStep: step })
      .where(and(eq(agents.id, a.id), or(isNull(agents.mfaLastStep), lt(agents.mfaLastStep, step))))
      .returning({ id: agents.id });
    return used.length ? 'totp' : null;
  }
  if (!looksLikeRecoveryCode(c)) return null;
  const used = await db
    .update(mfaRecoveryCodes)
    .set({ usedAt: new Date() })
    .where(
      and(eq(mfaRecoveryCodes.agentId, a.id), eq(mfaRecoveryCodes.codeHash, hashRecoveryCode(key, c)), isNull(mfaRecoveryCodes.usedAt)),
    )
    .returning({ agentId: mfaRecoveryCodes.agentId });
  return used.length ? 'recovery' : null;
}

/** For `GET /api/me`: whether MFA is on and how many recovery codes are left. */
export async function mfaStatus(db: DbOrTx, agentId: string) {
  const a = await loadAgent(db, agentId);
  const codes = await db.select({ usedAt: mfaRecoveryCodes.usedAt }).from(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.agentId, agentId));
  return { enabled: !!a.mfaEnabledAt, recoveryCodesLeft: codes.filter((c) => !c.usedAt).length };
}
