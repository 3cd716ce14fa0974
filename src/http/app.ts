import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express, type Router } from 'express';
import { sql } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Deps } from '../core/ports.js';
import type { LoginThrottle } from '../core/auth/login-throttle.js';
import { createRedisLoginThrottle } from './login-throttle.js';
import { bearerToken, errorHandler } from './middleware.js';
import { refuseNulInUrl, sanitizeBody } from './sanitize-input.js';
import type { Metrics } from './metrics.js';
import { securityHeaders } from './security-headers.js';
import { openApiDocument } from './openapi.js';
import { apiRouter } from './routes/api.js';
import { ratingPageRouter } from './routes/rating-page.js';
import { deskStatic } from './desk-static.js';
import { APP_ROOT } from '../app-root.js';

export const WEB_DIST = join(APP_ROOT, 'dist/web');

export function createHttpApp(deps: Deps, opts: { redis: Redis; metrics: Metrics; webhooks: Router[]; throttle?: LoginThrottle }): Express {
  const app = express();
  app.disable('x-powered-by');
  // The client address (throttling, audit) is taken TRUST_PROXY hops back in X-Forwarded-For;
  // with 0 the header is ignored, so a caller cannot pick an address per request.
  app.set('trust proxy', deps.config.access.trustProxyHops);
  app.use(securityHeaders(deps.config.publicUrl));
  const throttle =
    opts.throttle ??
    createRedisLoginThrottle(opts.redis, deps.config.redisPrefix, {
      maxFailures: deps.config.access.login.maxFailures,
      windowSeconds: deps.config.access.login.windowSeconds,
    });

  app.use((req, res, next) => {
    const end = opts.metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      const route = (req.route?.path as string | undefined) ?? (res.statusCode === 404 ? 'unmatched' : req.baseUrl || 'other');
      opts.metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      end({ route });
    });
    next();
  });
  app.use(refuseNulInUrl);

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', async (_req, res) => {
    // Answer within READY_TIMEOUT_MS whatever happens: a Redis client that is not connected would
    // otherwise queue the PING until Redis is back, and the health check would hang instead of failing.
    const redisPing = opts.redis.status === 'ready' ? opts.redis.ping() : Promise.reject(new Error(`redis ${opts.redis.status}`));
    const [db, redis] = await Promise.allSettled([within(deps.db.execute(sql`select 1`)), within(redisPing)]);
    const checks = { postgres: db.status === 'fulfilled', redis: redis.status === 'fulfilled' };
    res.status(checks.postgres && checks.redis ? 200 : 503).json({ ok: checks.postgres && checks.redis, checks });
  });
  // Metrics tell an outsider how busy the desk is and which routes exist: only Prometheus with
  // METRICS_TOKEN gets them here (or anyone on localhost through METRICS_PORT, see switchboard.ts).
  app.get('/metrics', async (req, res) => {
    const expected = deps.config.metrics.token;
    if (!expected) {
      res.status(404).json({ error: { code: 'not_found', message: 'metrics are served with METRICS_TOKEN or on METRICS_PORT' } });
      return;
    }
    if (!sameSecret(bearerToken(req) ?? '', expected)) {
      res
        .status(401)
        .set('WWW-Authenticate', 'Bearer')
        .json({ error: { code: 'unauthorized', message: 'metrics need METRICS_TOKEN' } });
      return;
    }
    res.type(opts.metrics.registry.contentType).send(await opts.metrics.registry.metrics());
  });

  // Webhooks parse their own (form / raw) bodies and verify signatures first.
  for (const router of opts.webhooks) app.use(router);
  // The email survey's public rating page: its signed link is the permission.
  app.use(ratingPageRouter(deps));

  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApiDocument(deps.config.publicUrl));
  });
  app.use('/api', express.json({ limit: '1mb' }), sanitizeBody, apiRouter(deps, { throttle }));
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'no such API route' } });
  });

  // The agent desk (built by Vite into dist/web).
  if (existsSync(WEB_DIST)) app.use(deskStatic(WEB_DIST));

  app.use(errorHandler(deps));
  return app;
}

/** How long /readyz waits for each check before calling it failed. */
const READY_TIMEOUT_MS = 2_000;
function within<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), READY_TIMEOUT_MS);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
