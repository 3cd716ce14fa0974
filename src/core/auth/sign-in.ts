import { eq, sql } from 'drizzle-orm';
import type { AgentRow } from '../../db/schema.js';
import { agents, mfaRecoveryCodes } from '../../db/schema.js';
import { and, isNull } from 'drizzle-orm';
import { recordAudit, type AuditContext } from '../audit/record-audit.js';
import { AppError, retryAfter } from '../errors.js';
import type { Deps } from '../ports.js';
import { newSession, type SessionClaims } from '../agents/tokens.js';
import { throttleKeys, type LoginThrottle } from './login-throttle.js';
import { checkSecondFactor } from './mfa.js';
import { hashPassword, verifyPassword } from './passwords.js';

export type PasswordSignIn = { email: string; password: string; code?: string };

/**
 * Sign-in with email and password (and a second factor when the agent has one).
 *
 * Order matters: the throttle is asked before any hash is computed (a throttled flood costs
 * no CPU); a wrong password and a wrong code both count as failures; a right password without
 * a code answers `mfa_required` and does not count. Every outcome is in the audit log.
 */
export async function signInWithPassword(
  deps: Pick<Deps, 'db' | 'config'>,
  input: PasswordSignIn,
  ctx: { ip: string | null; throttle: LoginThrottle },
): Promise<{ agent: AgentRow; session: SessionClaims }> {
  const { db, config } = deps;
  const email = input.email.trim().toLowerCase();
  const keys = throttleKeys(email, ctx.ip);
  const audit = { actorId: null, ip: ctx.ip } satisfies AuditContext;

  const attempt = await ctx.throttle.begin(keys);
  if (!attempt.allowed) {
    throw retryAfter('too_many_requests', 'too many failed sign-ins; try again later', attempt.retryAfterSeconds);
  }
  const fail = async (agent: AgentRow | undefined, reason: string, error: AppError): Promise<never> => {
    const locked = await ctx.throttle.failed(keys, attempt.ticket);
    const target = agent ? `agent:${agent.id}` : `email:${email}`;
    await db.transaction(async (tx) => {
      await recordAudit(tx, { ...audit, action: 'auth.login_failed', target, details: { email, reason } });
      for (const k of locked) {
        await recordAudit(tx, {
          ...audit,
          action: 'auth.login_locked',
          target,
          details: { by: k.startsWith('email:') ? 'email' : 'address', email, windowSeconds: config.access.login.windowSeconds },
        });
      }
    });
    throw error;
  };
  const notAGuess = () => ctx.throttle.withdraw(keys, attempt.ticket);

  const [agent] = await db
    .select()
    .from(agents)
    .where(eq(sql`lower(${agents.email})`, email));
  if (!agent) {
    await hashPassword(input.password); // the same time either way: no telling which emails exist
    return fail(undefined, 'password', new AppError('unauthorized', 'wrong email or password'));
  }
  if (!(await verifyPassword(agent.passwordHash, input.password))) {
    return fail(agent, 'password', new AppError('unauthorized', 'wrong email or password'));
  }
  if (!agent.active) {
    await notAGuess();
    await recordAudit(db, { ...audit, action: 'auth.login_failed', target: `agent:${agent.id}`, details: { email, reason: 'inactive' } });
    throw new AppError('unauthorized', 'this account is deactivated');
  }

  let mfa: 'totp' | 'recovery' | null = null;
  if (agent.mfaEnabledAt) {
    if (!input.code) {
      await notAGuess();
      throw new AppError('mfa_required', 'enter the code from your authenticator app (or a recovery code)');
    }
    mfa = await checkSecondFactor(db, config.access.mfaSecretKey, agent, input.code);
    if (!mfa) return fail(agent, 'mfa', new AppError('unauthorized', 'wrong or already used code'));
  }

  await notAGuess();
  await db.transaction(async (tx) => {
    await recordAudit(tx, {
      actorId: agent.id,
      ip: ctx.ip,
      action: 'auth.login',
      target: `agent:${agent.id}`,
      details: { via: 'password', mfa },
    });
    if (mfa === 'recovery') {
      const [{ left }] = (await tx
        .select({ left: sql<number>`count(*)::int` })
        .from(mfaRecoveryCodes)
        .where(and(eq(mfaRecoveryCodes.agentId, agent.id), isNull(mfaRecoveryCodes.usedAt)))) as [{ left: number }];
      await recordAudit(tx, {
        actorId: agent.id,
        ip: ctx.ip,
        action: 'auth.mfa_recovery_used',
        target: `agent:${agent.id}`,
        details: { left },
      });
    }
  });
  return { agent, session: newSession(config, agent, 'password') };
}
