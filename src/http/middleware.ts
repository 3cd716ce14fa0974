import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { isSupervisor, type Actor } from '../core/agents/actor.js';
import { authenticate } from '../core/agents/tokens.js';
import { AppError, zodReason } from '../core/errors.js';
import type { Deps } from '../core/ports.js';
import type { Role } from '../db/schema.js';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      actor?: Actor;
    }
  }
}

/** Requires `Authorization: Bearer <token>` and loads the calling agent. */
export function requireAuth(deps: Deps): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    req.actor = await authenticate(deps.db, deps.config.jwtSecret, token);
    next();
  };
}

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
    if (err instanceof AppError) {
      res.status(err.status).json({ error: { code: err.code, message: err.message } });
      return;
    }
    const e = err as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'bad_request', message: 'body is not valid JSON' } });
      return;
    }
    if (e?.type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'payload_too_large', message: 'body too large' } });
      return;
    }
    deps.log.error({ err, path: req.path, method: req.method }, 'request failed');
    res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
  };
}
