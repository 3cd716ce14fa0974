import { Redis } from 'ioredis';
import postgres from 'postgres';
import type { Config } from './config.js';

/** Raised when a service Switchboard needs is not there; its message is the one line `npm start` prints. */
export class ServiceUnavailableError extends Error {}

const HOW_TO_GET_THEM =
  'Start them with `docker compose up -d postgres redis` (the docker-compose.yml in this repository), ' +
  'or install the Debian packages (`sudo apt-get install postgresql redis-server`); see README, "Postgres and Redis"';

/** host:port of a URL, without credentials: where we looked. */
const whereOf = (url: string, defaultPort: number) => {
  const u = new URL(url);
  return `${u.hostname || 'localhost'}:${u.port || defaultPort}`;
};

/**
 * Checks, before anything else starts, that Postgres and Redis answer, so a
 * fresh machine gets one line saying which is missing, where we looked and
 * how to get it — instead of a stack trace, or a process that waits forever
 * for Redis.
 */
export async function checkServices(config: Config, timeoutSeconds = 5): Promise<void> {
  await checkPostgres(config.databaseUrl, timeoutSeconds);
  if (!config.redisSentinel) await checkRedis(config.redisUrl, timeoutSeconds);
}

async function checkPostgres(url: string, timeoutSeconds: number) {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, connect_timeout: timeoutSeconds, onnotice: () => {} });
  const where = `${whereOf(url, 5432)} (DATABASE_URL)`;
  try {
    await sql`select 1`;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === '28P01' || e.code === '28000') {
      throw new ServiceUnavailableError(
        `Postgres at ${where} refused the login (${e.message ?? e.code}). Put the password in DATABASE_URL ` +
          '(postgres://postgres:PASSWORD@127.0.0.1:5432/switchboard; with the compose file the password is `switchboard`), ' +
          'or allow local connections without one in pg_hba.conf (README, "Postgres and Redis")',
      );
    }
    throw new ServiceUnavailableError(`Postgres is not reachable at ${where}: ${e.code ?? e.message ?? String(err)}. ${HOW_TO_GET_THEM}`);
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

async function checkRedis(url: string, timeoutSeconds: number) {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutSeconds * 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    const e = err as { code?: string; message?: string };
    throw new ServiceUnavailableError(
      `Redis is not reachable at ${whereOf(url, 6379)} (REDIS_URL): ${e.code ?? e.message ?? String(err)}. ${HOW_TO_GET_THEM}`,
    );
  } finally {
    redis.disconnect();
  }
}
