import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import * as oidc from 'openid-client';
import type { Config } from '../../config.js';
import { agents, type AgentRow } from '../../db/schema.js';
import { createAgent } from '../agents/manage-agents.js';
import { newSession, type SessionClaims } from '../agents/tokens.js';
import { recordAudit } from '../audit/record-audit.js';
import type { Deps } from '../ports.js';

/**
 * Single sign-on with OpenID Connect: authorisation code + PKCE, with `state` and `nonce`
 * (openid-client does the protocol; this module decides who may sign in).
 *
 * The agent is matched by a *verified* email only: an unverified address would let anyone who
 * can register that address at the provider sign in as the agent. No agent is ever created
 * unless OIDC_AUTO_PROVISION names a role.
 */
export type OidcSettings = NonNullable<Config['access']['oidc']>;

/** What the browser carries between start and callback (in a signed, short-lived cookie). */
export type OidcPending = { state: string; nonce: string; verifier: string; returnTo: string };

/** Why a sign-in was refused; the desk explains each (`?sso_error=`). */
export type OidcRefusal = 'no_account' | 'unverified_email' | 'inactive' | 'failed';
export class OidcSignInError extends Error {
  constructor(
    readonly reason: OidcRefusal,
    message: string,
  ) {
    super(message);
  }
}

const discovered = new Map<string, Promise<oidc.Configuration>>();

/** The provider's metadata, fetched once per process (and again after a failure). */
function providerConfig(settings: OidcSettings): Promise<oidc.Configuration> {
  const key = `${settings.issuer} ${settings.clientId}`;
  let found = discovered.get(key);
  if (!found) {
    // Plain http only for a provider on this machine (development, the tests); Entra ID and
    // every real provider are https, and openid-client refuses http otherwise.
    const local = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:|\/|$)/.test(settings.issuer);
    found = oidc.discovery(new URL(settings.issuer), settings.clientId, settings.clientSecret, undefined, {
      execute: local ? [oidc.allowInsecureRequests] : [],
    });
    found.catch(() => discovered.delete(key));
    discovered.set(key, found);
  }
  return found;
}

export const oidcRedirectUri = (publicUrl: string) => `${publicUrl}/api/auth/oidc/callback`;

/** Only a path on our own origin: never an open redirect. */
export function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\s]*$/.test(value) && value.length < 500 ? value : '/';
}

/** Where to send the browser, and what it must bring back. */
export async function startOidcSignIn(config: Config, settings: OidcSettings, returnTo: unknown) {
  const provider = await providerConfig(settings);
  const pending: OidcPending = {
    state: oidc.randomState(),
    nonce: oidc.randomNonce(),
    verifier: oidc.randomPKCECodeVerifier(),
    returnTo: safeReturnTo(returnTo),
  };
  const url = oidc.buildAuthorizationUrl(provider, {
    redirect_uri: oidcRedirectUri(config.publicUrl),
    scope: settings.scopes,
    response_type: 'code',
    code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
  });
  return { url: url.href, pending };
}

/**
 * The provider sent the browser back: exchange the code, check the ID token, find the agent.
 * `callbackUrl` is the full URL the browser asked for, on PUBLIC_URL.
 */
export async function finishOidcSignIn(
  deps: Pick<Deps, 'db' | 'config'>,
  settings: OidcSettings,
  callbackUrl: URL,
  pending: OidcPending,
  ip: string | null,
): Promise<{ agent: AgentRow; session: SessionClaims }> {
  const { db, config } = deps;
  const provider = await providerConfig(settings);
  const tokens = await oidc.authorizationCodeGrant(provider, callbackUrl, {
    pkceCodeVerifier: pending.verifier,
    expectedState: pending.state,
    expectedNonce: pending.nonce,
    idTokenExpected: true,
  });
  let claims: Record<string, unknown> = tokens.claims() ?? {};
  // Many providers put email claims only in the UserInfo answer for the code flow (the ID token
  // keeps `sub`); ask it, for the same subject, when the ID token has no email.
  if (typeof claims.email !== 'string' && typeof claims.sub === 'string') {
    claims = { ...(await oidc.fetchUserInfo(provider, tokens.access_token, claims.sub)), ...claims };
  }
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  // Entra ID sends no email_verified; its optional claim xms_edov says the domain owner verified it.
  const verified = claims.email_verified === true || claims.xms_edov === true || claims.xms_edov === '1';
  const refuse = async (reason: OidcRefusal, auditReason: string, agent?: AgentRow): Promise<never> => {
    await recordAudit(db, {
      actorId: null,
      ip,
      action: 'auth.login_failed',
      target: agent ? `agent:${agent.id}` : `email:${email || 'unknown'}`,
      details: { email: email || null, reason: auditReason, via: 'oidc', issuer: settings.issuer },
    });
    throw new OidcSignInError(reason, auditReason);
  };
  if (!email) return refuse('unverified_email', 'no_email_claim');
  if (!verified) return refuse('unverified_email', 'unverified_email');

  let [agent] = await db
    .select()
    .from(agents)
    .where(eq(sql`lower(${agents.email})`, email));
  if (!agent) {
    if (!settings.autoProvision) return refuse('no_account', 'unknown_oidc_account');
    const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim().slice(0, 200) : email;
    // A random password nobody knows: this agent signs in through the provider (an admin can set one later).
    const created = await createAgent(
      db,
      { email, name, password: randomBytes(24).toString('base64url'), role: settings.autoProvision },
      { actorId: null, ip, via: 'oidc' },
    );
    [agent] = await db.select().from(agents).where(eq(agents.id, created.id));
  }
  if (!agent.active) return refuse('inactive', 'inactive', agent);

  await recordAudit(db, {
    actorId: agent.id,
    ip,
    action: 'auth.login',
    target: `agent:${agent.id}`,
    details: { via: 'oidc', issuer: settings.issuer, mfa: Array.isArray(claims.amr) && claims.amr.includes('mfa') ? 'provider' : null },
  });
  return { agent, session: newSession(config, agent, 'oidc') };
}
