import type { Request, Response } from 'express';
import { issueAccessToken, issueRefreshToken, type SessionClaims } from '../core/agents/tokens.js';
import type { Config } from '../config.js';

/**
 * The refresh cookie: httpOnly (page scripts never see it), SameSite=Strict (no other site can
 * make the browser send it), scoped to /api/auth (sent only to refresh and logout), Secure when
 * PUBLIC_URL is https. See docs/security.md, "Tokens".
 */
export const REFRESH_COOKIE = 'sb_refresh';
const PATH = '/api/auth';

export function readRefreshCookie(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === REFRESH_COOKIE) return decodeURIComponent(part.slice(i + 1).trim());
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
