import { eq, sql } from 'drizzle-orm';
import { jwtVerify, SignJWT } from 'jose';
import type { Config } from '../../config.js';
import { builtOnce, type Db, type DbOrTx } from '../../db/client.js';
import { agentQueues, agents } from '../../db/schema.js';
import { AppError } from '../errors.js';
import type { Actor } from './actor.js';

/**
 * Agent tokens (see docs/security.md, "Tokens"). A sign-in is a session that lasts
 * SESSION_HOURS; within it the desk holds a short-lived access token in memory and renews it
 * with a refresh token kept in an httpOnly cookie. Both carry the agent's token version:
 * bumping it (deactivation, password change) refuses every token issued before, at once.
 */
const ISSUER = 'switchboard';
export type TokenKind = 'access' | 'refresh';
/** How the session was opened (kept in its tokens, shown in the audit log). */
export type SignInMethod = 'password' | 'oidc';

export type SessionClaims = {
  agentId: string;
  tokenVersion: number;
  /** End of the session (epoch seconds): no token of this sign-in outlives it. */
  sessionExpiresAt: number;
  via: SignInMethod;
};

const key = (secret: string) => new TextEncoder().encode(secret);
const nowSeconds = () => Math.floor(Date.now() / 1000);

type TokenConfig = Pick<Config, 'jwtSecret' | 'access'>;

export function newSession(config: TokenConfig, agent: { id: string; tokenVersion: number }, via: SignInMethod): SessionClaims {
  return { agentId: agent.id, tokenVersion: agent.tokenVersion, sessionExpiresAt: nowSeconds() + config.access.sessionSeconds, via };
}

async function sign(config: TokenConfig, s: SessionClaims, kind: TokenKind, ttlSeconds: number) {
  const expiresIn = Math.max(1, Math.min(ttlSeconds, s.sessionExpiresAt - nowSeconds()));
  const token = await new SignJWT({ ver: s.tokenVersion, sexp: s.sessionExpiresAt, via: s.via })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(s.agentId)
    .setIssuer(ISSUER)
    .setAudience(kind)
    .setIssuedAt()
    .setExpirationTime(nowSeconds() + expiresIn)
    .sign(key(config.jwtSecret));
  return { token, expiresIn };
}

/** A bearer token for the API and the socket handshake (ACCESS_TOKEN_TTL_SECONDS, never past the session). */
export const issueAccessToken = (config: TokenConfig, s: SessionClaims) => sign(config, s, 'access', config.access.accessTokenTtlSeconds);

/** The refresh cookie's token: lives as long as the session; only `POST /api/auth/refresh` accepts it. */
export const issueRefreshToken = (config: TokenConfig, s: SessionClaims) => sign(config, s, 'refresh', config.access.sessionSeconds);

export async function verifyToken(secret: string, token: string, kind: TokenKind): Promise<SessionClaims> {
  const known = verifiedTokens.get(secret)?.get(`${kind} ${token}`);
  if (known && nowSeconds() < known.expiresAt) return known.claims;
  try {
    const { payload } = await jwtVerify(token, key(secret), { issuer: ISSUER, audience: kind, algorithms: ['HS256'] });
    const { sub, ver, sexp, via, exp } = payload as { sub?: string; ver?: unknown; sexp?: unknown; via?: unknown; exp?: number };
    if (!sub || typeof ver !== 'number' || typeof sexp !== 'number') throw new Error('claims');
    const claims: SessionClaims = { agentId: sub, tokenVersion: ver, sessionExpiresAt: sexp, via: via === 'oidc' ? 'oidc' : 'password' };
    if (exp) rememberVerified(secret, `${kind} ${token}`, { claims, expiresAt: exp });
    return claims;
  } catch {
    throw new AppError('unauthorized', 'invalid or expired token');
  }
}

/**
 * Tokens whose signature this process checked, with their claims, until the token's own expiry:
 * a desk sends the same access token with every request, and checking its signature (WebCrypto
 * HMAC, through the thread pool) cost more than the request's database read. Revocation is
 * unaffected: `authenticate` reads the agent's token version on every request. Bounded: the
 * oldest entries make room.
 */
const verifiedTokens = new Map<string, Map<string, { claims: SessionClaims; expiresAt: number }>>();
const VERIFIED_TOKENS_KEPT = 10_000;

function rememberVerified(secret: string, key: string, entry: { claims: SessionClaims; expiresAt: number }) {
  let kept = verifiedTokens.get(secret);
  if (!kept) verifiedTokens.set(secret, (kept = new Map()));
  if (kept.size >= VERIFIED_TOKENS_KEPT) kept.delete(kept.keys().next().value!);
  kept.set(key, entry);
}

export type Authenticated = {
  actor: Actor;
  session: SessionClaims;
  /** The role must use MFA (MFA_REQUIRED_FOR) and the agent has not enrolled: only enrolment is open. */
  mfaEnrolmentRequired: boolean;
  /** The password was chosen by someone else (the generated first-admin one): only changing it is open. */
  passwordChangeRequired: boolean;
};

/** Every API request and socket handshake runs this: built once (client.ts `builtOnce`), one round trip. */
const agentOfSession = builtOnce((db: Db) =>
  db
    .select({
      id: agents.id,
      role: agents.role,
      active: agents.active,
      tokenVersion: agents.tokenVersion,
      mfaEnabledAt: agents.mfaEnabledAt,
      mustChangePassword: agents.mustChangePassword,
      queues: sql<
        string[]
      >`coalesce((select array_agg(${agentQueues.queueKey}) from ${agentQueues} where ${agentQueues.agentId} = ${agents.id}), '{}')`,
    })
    .from(agents)
    .where(eq(agents.id, sql.placeholder('agentId')))
    .prepare('agent_of_session'),
);

/**
 * Verifies a token and loads the agent fresh, so a changed role, a deactivation or a
 * revocation takes effect on the very next request or socket handshake.
 */
export async function authenticate(
  db: Db,
  config: TokenConfig,
  token: string | undefined,
  kind: TokenKind = 'access',
): Promise<Authenticated> {
  if (!token) throw new AppError('unauthorized', 'missing bearer token');
  const session = await verifyToken(config.jwtSecret, token, kind);
  const [a] = await agentOfSession(db).execute({ agentId: session.agentId });
  if (!a) throw new AppError('unauthorized', 'agent no longer exists');
  if (!a.active) throw new AppError('unauthorized', 'this account is deactivated');
  if (a.tokenVersion !== session.tokenVersion) throw new AppError('unauthorized', 'token revoked; sign in again');
  return {
    actor: { id: a.id, role: a.role, queues: a.queues },
    session,
    mfaEnrolmentRequired: session.via === 'password' && config.access.mfaRequiredFor.includes(a.role) && !a.mfaEnabledAt,
    passwordChangeRequired: a.mustChangePassword,
  };
}

export async function loadActor(db: DbOrTx, agentId: string): Promise<Actor> {
  const [a] = await db.select({ id: agents.id, role: agents.role }).from(agents).where(eq(agents.id, agentId));
  if (!a) throw new AppError('unauthorized', 'agent no longer exists');
  const qs = await db.select({ key: agentQueues.queueKey }).from(agentQueues).where(eq(agentQueues.agentId, agentId));
  return { id: a.id, role: a.role, queues: qs.map((q) => q.key) };
}
