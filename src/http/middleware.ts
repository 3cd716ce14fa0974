import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { isSupervisor, type Actor } from '../core/agents/actor.js';
import { authenticate, type SessionClaims } from '../core/agents/tokens.js';
import type { AuditContext } from '../core/audit/record-audit.js';
import { AppError, zodReason } from '../core/errors.js';
import type { Deps } from '../core/ports.js';
import { isLockConflict } from '../db/errors.js';
import type { Role } from '../db/schema.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      actor?: Actor;
      session?: SessionClaims;
    }
  }
}

/** Routes an agent who must enrol in MFA (MFA_REQUIRED_FOR) may still call: enrolment itself. */
const ENROLMENT_PATHS = new Set(['/me', '/me/mfa', '/me/mfa/setup', '/me/mfa/enable', '/auth/logout']);
const PASSWORD_CHANGE_PATHS = new Set(['/me', '/me/password', '/auth/logout']);

export const bearerToken = (req: Request) => {
  const header = req.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
};

/**
 * Requires `Authorization: Bearer <access token>` and loads the calling agent fresh: a
 * deactivated agent or a revoked token is refused here, on every request.
 */
export function requireAuth(deps: Deps): RequestHandler {
  return async (req, _res, next) => {
    const auth = await authenticate(deps.db, deps.config, bearerToken(req));
    if (auth.passwordChangeRequired && !PASSWORD_CHANGE_PATHS.has(req.path)) {
      throw new AppError('password_change_required', 'choose your own password first (PUT /api/me/password)');
    }
    if (auth.mfaEnrolmentRequired && !ENROLMENT_PATHS.has(req.path)) {
      throw new AppError('mfa_enrolment_required', 'your role requires two-factor sign-in: set it up first (POST /api/me/mfa/setup)');
    }
    req.actor = auth.actor;
    req.session = auth.session;
    next();
  };
}

/** The client address, as express resolved it through TRUST_PROXY hops (never a raw X-Forwarded-For). */
export const clientIp = (req: Request): string | null => {
  const ip = req.ip ?? req.socket.remoteAddress ?? null;
  return ip?.startsWith('::ffff:') ? ip.slice(7) : ip; // IPv4 as IPv4, not its IPv6-mapped form
};

/** Who acts and from where, for `recordAudit`. */
export const auditContext = (req: Request): AuditContext => ({ actorId: req.actor?.id ?? null, ip: clientIp(req) });

export function actorOf(req: Request): Actor {
  if (!req.actor) throw new AppError('unauthorized', 'not authenticated');
  return req.actor;
}

export function requireRoles(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    const actor = actorOf(req);
    if (!roles.includes(actor.role)) throw new AppError('forbidden', `requires role ${roles.join(' or ')}`);
    next();
  };
}

export const requireSupervisor: RequestHandler = (req, _res, next) => {
  if (!isSupervisor(actorOf(req))) throw new AppError('forbidden', 'requires role supervisor or admin');
  next();
};

/** Parses input with a zod schema; failure is a 400 naming the field. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input ?? {});
  if (!r.success) throw new AppError('bad_request', zodReason(r.error), r.error.issues);
  return r.data;
}

/** The one place errors become HTTP answers: `{"error": {"code", "message"}}`. */
export function errorHandler(deps: Deps) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = err instanceof AppError ? err : (transportError(err) ?? lockConflictError(deps, req, err));
    if (known) {
      const wait = (known.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
      if (wait) res.set('Retry-After', String(wait));
      res.status(known.status).json({ error: { code: known.code, message: known.message } });
      return;
    }
    deps.log.error({ err, path: req.path, method: req.method }, 'request failed');
    res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
  };
}

/**
 * Postgres rolled the request's work back for a concurrent change (deadlock, serialization
 * failure), after any retries (retryLockConflicts): nothing was saved, and the same request again
 * will likely go through. A 409 the person can act on, not a 500 "internal error".
 */
function lockConflictError(deps: Deps, req: Request, err: unknown): AppError | undefined {
  if (!isLockConflict(err)) return undefined;
  deps.log.warn({ err, path: req.path, method: req.method }, 'request rolled back by a concurrent change');
  return new AppError('conflict', 'someone else changed this at the same moment; nothing was saved, please try again');
}

/**
 * What the request itself got wrong before any route ran — body-parser
 * (charset, content encoding, JSON syntax, size), the router (a path parameter
 * that is not valid percent-encoding) — as our error with a 4xx. Anything else
 * is ours, and stays a 500.
 */
function transportError(err: unknown): AppError | undefined {
  if (!(err instanceof Error)) return undefined;
  const e = err as Error & { type?: string; status?: number; expose?: boolean };
  switch (e.type) {
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new AppError('unsupported_media_type', e.message);
    case 'entity.parse.failed':
      return new AppError('bad_request', 'body is not valid JSON');
    case 'entity.too.large':
      return new AppError('payload_too_large', 'body too large');
    case 'entity.verify.failed':
      return new AppError('forbidden', 'body failed verification');
    case 'request.aborted':
    case 'request.size.invalid':
      return new AppError('bad_request', 'the body did not arrive whole');
    case 'parameters.too.many':
      return new AppError('payload_too_large', 'too many form fields');
    default:
      break;
  }
  if (err instanceof URIError && e.status === 400) return new AppError('bad_request', 'the URL is not valid percent-encoding');
  // Other http-errors a parser raised on its own input (a "gzip" body that is not gzip…).
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500 && e.expose !== false) {
    if (e.status === 413) return new AppError('payload_too_large', 'body too large');
    if (e.status === 415) return new AppError('unsupported_media_type', 'unsupported body type');
    return new AppError('bad_request', e.type ? `unreadable request (${e.type})` : 'the body could not be decoded');
  }
  return undefined;
}
