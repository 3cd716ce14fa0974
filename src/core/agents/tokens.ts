import { eq } from 'drizzle-orm';
import { jwtVerify, SignJWT } from 'jose';
import type { DbOrTx } from '../../db/client.js';
import { agentQueues, agents } from '../../db/schema.js';
import { AppError } from '../errors.js';
import type { Actor } from './actor.js';

const ISSUER = 'switchboard';
export const TOKEN_TTL_SECONDS = 12 * 3600;

const key = (secret: string) => new TextEncoder().encode(secret);

export async function issueToken(secret: string, agentId: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(agentId)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${TOKEN_TTL_SECONDS}s`)
    .sign(key(secret));
}

/** Verifies the token and loads the agent fresh, so a changed role or removed agent takes effect at once. */
export async function authenticate(db: DbOrTx, secret: string, token: string | undefined): Promise<Actor> {
  if (!token) throw new AppError('unauthorized', 'missing bearer token');
  let sub: string | undefined;
  try {
    const { payload } = await jwtVerify(token, key(secret), { issuer: ISSUER, algorithms: ['HS256'] });
    sub = payload.sub;
  } catch {
    throw new AppError('unauthorized', 'invalid or expired token');
  }
  if (!sub) throw new AppError('unauthorized', 'invalid token');
  return loadActor(db, sub);
}

export async function loadActor(db: DbOrTx, agentId: string): Promise<Actor> {
  const [a] = await db.select({ id: agents.id, role: agents.role }).from(agents).where(eq(agents.id, agentId));
  if (!a) throw new AppError('unauthorized', 'agent no longer exists');
  const qs = await db.select({ key: agentQueues.queueKey }).from(agentQueues).where(eq(agentQueues.agentId, agentId));
  return { id: a.id, role: a.role, queues: qs.map((q) => q.key) };
}
