import { Router } from 'express';
import './access-openapi.js';
import { z } from 'zod';
import { changeOwnPassword, ZChangePassword } from '../../core/agents/change-password.js';
import { acceptInvite, describeInvite, ZAcceptInvite } from '../../core/agents/invites.js';
import { publicAgent } from '../../core/agents/manage-agents.js';
import { setPresence } from '../../core/agents/set-presence.js';
import { authenticate, issueAccessToken } from '../../core/agents/tokens.js';
import { recordAudit } from '../../core/audit/record-audit.js';
import type { LoginThrottle } from '../../core/auth/login-throttle.js';
import { disableMfa, enableMfa, mfaStatus, regenerateRecoveryCodes, startMfaSetup } from '../../core/auth/mfa.js';
import { finishOidcSignIn, OidcSignInError, safeReturnTo, startOidcSignIn } from '../../core/auth/oidc.js';
import { signInWithPassword } from '../../core/auth/sign-in.js';
import { AppError } from '../../core/errors.js';
import type { Deps } from '../../core/ports.js';
import { actorOf, auditContext, bearerToken, clientIp, parse } from '../middleware.js';
import { clearSessionCookie, issueSession, readRefreshCookie, setOidcPendingCookie, takeOidcPendingCookie } from '../session-cookie.js';

const ZLogin = z.object({
  email: z.string().trim().min(1, 'email: required').max(320),
  password: z.string().min(1, 'password: required').max(1000),
  code: z.string().trim().min(1).max(20).optional(),
});
const ZInviteToken = z.object({ token: z.string().min(1).max(200) });
const ZCode = z.object({ code: z.string().trim().min(1, 'code: required').max(20) }).strict();

/** Sign-in, token refresh and sign-out: open to callers without a token (mounted before requireAuth). */
export function authRouter(deps: Deps, throttle: LoginThrottle): Router {
  const r = Router();
  const { db, config } = deps;

  r.get('/auth/options', (_req, res) => {
    res.json({ password: true, oidc: config.access.oidc ? { label: config.access.oidc.label, start: '/api/auth/oidc/start' } : null });
  });

  /** Single sign-on: off the desk's "Sign in with …" button to the provider. */
  r.get('/auth/oidc/start', async (req, res) => {
    const settings = config.access.oidc;
    if (!settings) throw new AppError('not_found', 'single sign-on is not configured (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET)');
    const { url, pending } = await startOidcSignIn(config, settings, req.query.returnTo).catch((err: unknown) => {
      deps.log.error({ err }, 'OIDC provider discovery failed');
      throw new AppError('unavailable', 'the single sign-on provider cannot be reached');
    });
    await setOidcPendingCookie(config, res, pending);
    res.redirect(302, url);
  });

  /**
   * The provider's answer. Success: the session cookie is set and the desk opens (it resumes the
   * session from the cookie). Refusal: back to the sign-in page with `?sso_error=<reason>`.
   */
  r.get('/auth/oidc/callback', async (req, res) => {
    const settings = config.access.oidc;
    if (!settings) throw new AppError('not_found', 'single sign-on is not configured');
    const pending = await takeOidcPendingCookie(config, req, res);
    const back = (reason: string) => res.redirect(302, `/?sso_error=${reason}`);
    if (!pending) return back('failed');
    try {
      const callbackUrl = new URL(req.originalUrl, config.publicUrl);
      const { session } = await finishOidcSignIn(deps, settings, callbackUrl, pending, clientIp(req));
      await issueSession(config, res, session);
      res.redirect(302, safeReturnTo(pending.returnTo));
    } catch (err) {
      if (err instanceof OidcSignInError) return back(err.reason);
      // The provider said no (access_denied), or the code, state, nonce or ID token did not check out.
      deps.log.warn({ err }, 'single sign-on failed');
      back('failed');
    }
  });

  // Extension: the one-time set-password link (no session: the token in the path is the credential).
  r.get('/invites/:token', async (req, res) => {
    res.json({ invite: await describeInvite(db, parse(ZInviteToken, req.params).token) });
  });

  r.post('/invites/:token', async (req, res) => {
    const { token } = parse(ZInviteToken, req.params);
    res.json(await acceptInvite(deps, token, parse(ZAcceptInvite, req.body), { ip: clientIp(req) }));
  });

  r.post('/auth/login', async (req, res) => {
    const input = parse(ZLogin, req.body);
    const { agent, session } = await signInWithPassword(deps, input, { ip: clientIp(req), throttle });
    const access = await issueSession(config, res, session);
    res.json({ token: access.token, expiresIn: access.expiresIn, agent: await publicAgent(db, agent.id) });
  });

  /**
   * A new access token, from the refresh cookie (the desk) or a still-valid bearer token (API
   * clients). Never past the session's end, and never for a deactivated agent or a revoked token.
   */
  r.post('/auth/refresh', async (req, res) => {
    const bearer = bearerToken(req);
    const auth = bearer
      ? await authenticate(db, config, bearer, 'access')
      : await authenticate(db, config, readRefreshCookie(req), 'refresh').catch((err: unknown) => {
          clearSessionCookie(config, res);
          throw err;
        });
    const access = await issueAccessToken(config, auth.session);
    await recordAudit(db, { actorId: auth.actor.id, ip: clientIp(req), action: 'auth.refresh', target: `agent:${auth.actor.id}` });
    res.json({
      token: access.token,
      expiresIn: access.expiresIn,
      sessionExpiresAt: new Date(auth.session.sessionExpiresAt * 1000).toISOString(),
    });
  });

  r.post('/auth/logout', async (req, res) => {
    // The session cookie names the agent (the desk); an API client may sign out with its bearer token.
    const cookie = readRefreshCookie(req);
    const who = await (cookie ? authenticate(db, config, cookie, 'refresh') : authenticate(db, config, bearerToken(req))).then(
      (auth) => auth.actor,
      () => null,
    );
    clearSessionCookie(config, res);
    if (who) {
      await recordAudit(db, { actorId: who.id, ip: clientIp(req), action: 'auth.logout', target: `agent:${who.id}` });
      // Nobody is at the desk any more: no offers for them, and live ones go to someone else now.
      await setPresence(deps, who.id, 'offline', 'signed out');
    }
    res.status(204).end();
  });

  return r;
}

/** One's own password and second factor (mounted after requireAuth). */
export function accountRouter(deps: Deps, throttle: LoginThrottle): Router {
  const r = Router();
  const { db, config } = deps;

  r.put('/me/password', async (req, res) => {
    const actor = actorOf(req);
    const session = await changeOwnPassword(deps, actor.id, parse(ZChangePassword, req.body), {
      ...auditContext(req),
      throttle,
      via: req.session?.via ?? 'password',
    });
    const access = await issueSession(config, res, session);
    res.json({ token: access.token, expiresIn: access.expiresIn });
  });

  r.get('/me/mfa', async (req, res) => {
    res.json({ ...(await mfaStatus(db, actorOf(req).id)), required: config.access.mfaRequiredFor.includes(actorOf(req).role) });
  });

  r.post('/me/mfa/setup', async (req, res) => {
    res.json(await startMfaSetup(deps, actorOf(req).id));
  });

  r.post('/me/mfa/enable', async (req, res) => {
    const { code } = parse(ZCode, req.body);
    res.json(await enableMfa(deps, actorOf(req).id, code, auditContext(req)));
  });

  r.post('/me/mfa/recovery-codes', async (req, res) => {
    const { code } = parse(ZCode, req.body);
    res.json(await regenerateRecoveryCodes(deps, actorOf(req).id, code, auditContext(req)));
  });

  r.delete('/me/mfa', async (req, res) => {
    const { code } = parse(ZCode, req.body);
    const actor = actorOf(req);
    if (config.access.mfaRequiredFor.includes(actor.role)) throw new AppError('forbidden', `MFA is required for the ${actor.role} role`);
    await disableMfa(deps, actor.id, code, auditContext(req));
    res.status(204).end();
  });

  return r;
}
