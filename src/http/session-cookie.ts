import type { Request, Response } from 'express';
import { jwtVerify, SignJWT } from 'jose';
import type { OidcPending } from '../core/auth/oidc.js';
import { issueAccessToken, issueRefreshToken, type SessionClaims } from '../core/agents/tokens.js';
import type { Config } from '../config.js';

/**
 * The refresh cookie: httpOnly (page scripts never see it), SameSite=Strict (no other site can
 * make the browser send it), scoped to /api/auth (sent only to refresh and logout), Secure when
 * PUBLIC_URL is https. See docs/security.md, "Tokens".
 */
export const REFRESH_COOKIE = 'sb_refresh';
const PATH = '/api/auth';

export const readRefreshCookie = (req: Request) => readCookie(req, REFRESH_COOKIE);

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined; // malformed percent-encoding: as if there were no cookie
      }
    }
  }
  return undefined;
}

/** Starts (or continues) a session in the browser: sets the refresh cookie, answers the access token. */
export async function issueSession(config: Config, res: Response, session: SessionClaims) {
  const refresh = await issueRefreshToken(config, session);
  res.cookie(REFRESH_COOKIE, refresh.token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: config.publicUrl.startsWith('https:'),
    path: PATH,
    maxAge: refresh.expiresIn * 1000,
  });
  return issueAccessToken(config, session);
}

export function clearSessionCookie(config: Config, res: Response) {
  res.clearCookie(REFRESH_COOKIE, { httpOnly: true, sameSite: 'strict', secure: config.publicUrl.startsWith('https:'), path: PATH });
}

/**
 * Single sign-on's state, nonce and PKCE verifier, between the redirect to the provider and its
 * answer: a signed JWT (audience `oidc`, so it is never an access token) in an httpOnly cookie
 * scoped to the callback, for 10 minutes. SameSite=Lax, because the provider's redirect back is
 * a cross-site top-level GET. Nothing is kept on the server, so any web process can finish it.
 */
const OIDC_COOKIE = 'sb_oidc';
const OIDC_PATH = '/api/auth/oidc';
const OIDC_SECONDS = 600;

export async function setOidcPendingCookie(config: Config, res: Response, pending: OidcPending) {
  const token = await new SignJWT({ ...pending })
    .setProtectedHeader({ alg: 'HS256' })
    .setAudience('oidc')
    .setIssuedAt()
    .setExpirationTime(`${OIDC_SECONDS}s`)
    .sign(new TextEncoder().encode(config.jwtSecret));
  res.cookie(OIDC_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.publicUrl.startsWith('https:'),
    path: OIDC_PATH,
    maxAge: OIDC_SECONDS * 1000,
  });
}

/** The pending sign-in, or null when the cookie is missing, forged or expired (it is cleared either way). */
export async function takeOidcPendingCookie(config: Config, req: Request, res: Response): Promise<OidcPending | null> {
  const token = readCookie(req, OIDC_COOKIE);
  res.clearCookie(OIDC_COOKIE, { httpOnly: true, sameSite: 'lax', secure: config.publicUrl.startsWith('https:'), path: OIDC_PATH });
  if (!token) return null;
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(config.jwtSecret), { audience: 'oidc', algorithms: ['HS256'] });
    const { state, nonce, verifier, returnTo } = payload;
    if (typeof state !== 'string' || typeof nonce !== 'string' || typeof verifier !== 'string' || typeof returnTo !== 'string') return null;
    return { state, nonce, verifier, returnTo };
  } catch {
    return null;
  }
}
