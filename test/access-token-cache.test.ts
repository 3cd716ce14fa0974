/**
 * A verified token's claims are kept until the token expires (tokens.ts): the cache must never
 * accept what the signature check would refuse.
 */
import { describe, expect, it } from 'vitest';
import { issueAccessToken, issueRefreshToken, newSession, verifyToken } from '../src/core/agents/tokens.js';
import type { Config } from '../src/config.js';

const config = (secret: string, accessTokenTtlSeconds = 900) =>
  ({ jwtSecret: secret, access: { accessTokenTtlSeconds, sessionSeconds: 3600, mfaRequiredFor: [] } }) as unknown as Pick<
    Config,
    'jwtSecret' | 'access'
  >;
const SECRET = 'a-secret-of-at-least-thirty-two-characters';
const agent = { id: '7f1d2a56-0c36-4c4f-9d43-0a3a5c3d8e11', tokenVersion: 3 };

describe('verified tokens kept in memory', () => {
  it('answer the same claims, only for the kind and secret they were verified with', async () => {
    const c = config(SECRET);
    const session = newSession(c, agent, 'password');
    const { token } = await issueAccessToken(c, session);
    const first = await verifyToken(SECRET, token, 'access');
    expect(first).toEqual(session);
    expect(await verifyToken(SECRET, token, 'access')).toEqual(session);
    await expect(verifyToken(SECRET, token, 'refresh')).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(verifyToken(`${SECRET}-rotated`, token, 'access')).rejects.toMatchObject({ code: 'unauthorized' });
    const refresh = (await issueRefreshToken(c, session)).token;
    await expect(verifyToken(SECRET, refresh, 'access')).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('are refused once the token expires, as before', async () => {
    const c = config(SECRET, 1);
    const { token } = await issueAccessToken(c, newSession(c, agent, 'password'));
    await verifyToken(SECRET, token, 'access');
    await new Promise((r) => setTimeout(r, 2_100));
    await expect(verifyToken(SECRET, token, 'access')).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('a token altered after one was verified is refused', async () => {
    const c = config(SECRET);
    const { token } = await issueAccessToken(c, newSession(c, agent, 'password'));
    await verifyToken(SECRET, token, 'access');
    const [h, p, sig] = token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = [h, Buffer.from(JSON.stringify({ ...claims, ver: 4 })).toString('base64url'), sig].join('.');
    await expect(verifyToken(SECRET, forged, 'access')).rejects.toMatchObject({ code: 'unauthorized' });
  });
});
