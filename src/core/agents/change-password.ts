import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { agents } from '../../db/schema.js';
import { recordAudit, type AuditContext } from '../audit/record-audit.js';
import { throttleKeys, type LoginThrottle } from '../auth/login-throttle.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import { AppError, notFound, retryAfter } from '../errors.js';
import type { Deps } from '../ports.js';
import { newSession, type SessionClaims } from './tokens.js';
import { bumpTokenVersion, disconnectAgent } from './revoke-tokens.js';

export const ZChangePassword = z
  .object({
    current: z.string().min(1, 'current: required'),
    password: z.string().min(8, 'password must be at least 8 characters').max(1000),
  })
  .strict();

/**
 * `PUT /api/me/password`: checks the current password (a wrong one counts against the login
 * throttle, so a stolen token cannot be used to guess it), stores the new hash and bumps the
 * token version, so every other token of the agent stops working and its sockets close. The
 * caller gets a new session back to carry on.
 */
export async function changeOwnPassword(
  deps: Pick<Deps, 'db' | 'config' | 'realtime'>,
  agentId: string,
  input: z.input<typeof ZChangePassword>,
  ctx: AuditContext & { throttle: LoginThrottle; via: SessionClaims['via'] },
): Promise<SessionClaims> {
  const data = ZChangePassword.parse(input);
  const [a] = await deps.db.select().from(agents).where(eq(agents.id, agentId));
  if (!a) throw notFound('agent');
  const keys = throttleKeys(a.email, ctx.ip);
  const attempt = await ctx.throttle.begin(keys);
  if (!attempt.allowed) throw retryAfter('too_many_requests', 'too many failed attempts; try again later', attempt.retryAfterSeconds);
  if (!(await verifyPassword(a.passwordHash, data.current))) {
    await ctx.throttle.failed(keys, attempt.ticket);
    await recordAudit(deps.db, {
      actorId: agentId,
      ip: ctx.ip,
      action: 'auth.login_failed',
      target: `agent:${agentId}`,
      details: { email: a.email, reason: 'password_change' },
    });
    throw new AppError('bad_request', 'current: wrong password');
  }
  await ctx.throttle.withdraw(keys, attempt.ticket);
  const passwordHash = await hashPassword(data.password);
  const tokenVersion = await deps.db.transaction(async (tx) => {
    await tx.update(agents).set({ passwordHash, mustChangePassword: false }).where(eq(agents.id, agentId));
    const v = await bumpTokenVersion(tx, agentId);
    await recordAudit(tx, { actorId: agentId, ip: ctx.ip, action: 'auth.password_changed', target: `agent:${agentId}` });
    return v;
  });
  disconnectAgent(deps, agentId);
  return newSession(deps.config, { id: agentId, tokenVersion }, ctx.via);
}
