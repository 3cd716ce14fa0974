import type { RequestHandler } from 'express';
import { AppError } from '../core/errors.js';

/**
 * The one input rule for strings from outside: no NUL characters. Postgres
 * cannot store U+0000 in text or jsonb, and no legitimate sender needs it, so
 * bodies (JSON, forms, Slack payloads, parsed mail) have it stripped from
 * every string, keys included, and a URL carrying one is refused.
 */
export function stripNul<T>(value: T): T {
  return strip(value, 0) as T;
}

function strip(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.includes('\0') ? value.replace(/\0/g, '') : value;
  if (depth > 32 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => strip(v, depth + 1));
  if (Buffer.isBuffer(value) || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[strip(k, depth + 1) as string] = strip(v, depth + 1);
  return out;
}

/** App-wide, first: a NUL anywhere in the path or query (`%00`) is a 400 before any route sees it. */
export const refuseNulInUrl: RequestHandler = (req, _res, next) => {
  if (/%00|\0/i.test(req.url)) throw new AppError('bad_request', 'the URL contains a NUL character (%00)');
  next();
};

/** After a body parser (and after any signature check over the original): strips NUL from every string of the body. */
export const sanitizeBody: RequestHandler = (req, _res, next) => {
  if (req.body !== undefined && !Buffer.isBuffer(req.body)) req.body = stripNul(req.body);
  next();
};
