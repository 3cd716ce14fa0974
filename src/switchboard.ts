import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import type { Server as IoServer } from 'socket.io';
import { CHANNEL_MODULES } from './channels/index.js';
import { realVendorClients } from './channels/vendors.js';
import type { ChannelModule } from './channels/module.js';
import type { Config } from './config.js';
import { bootstrap } from './core/bootstrap.js';
import type { ChannelRegistry, Deps } from './core/ports.js';
import { connectDb, ensureDatabase, migrateDb } from './db/client.js';
import { createHttpApp } from './http/app.js';
import { createMetrics, startMetricsServer } from './http/metrics.js';
import { configurePasswordHashing } from './core/auth/passwords.js';
import { createWebhookJournal } from './channels/twilio/webhook-journal.js';
import { createJobScheduler, createQueues, declareWorkerSettings } from './jobs/queues.js';
import { startWorkers } from './jobs/workers.js';
import { createLogger, type Logger } from './logger.js';
import { createPublisher } from './realtime/publisher.js';
import { createChangeFeed } from './realtime/change-feed.js';
import { createAdminCache } from './core/admin-cache.js';
import { createRealtimeServer } from './realtime/server.js';
import { systemRouter } from './http/routes/system.js';
import { sandboxModule, sandboxVendorClients, withSandboxCredentials, type LocalEndpoints } from './sandbox/index.js';

export type Switchboard = {
  deps: Deps;
  /** The HTTP server (web roles only). */
  http?: HttpServer;
  io?: IoServer;
  /** The port actually bound (useful when config.port is 0). */
  port?: number;
  /** Stops taking work, lets jobs in flight finish, closes sockets and connections. */
  stop(): Promise<void>;
};

export type StartOptions = { logger?: Logger; modules?: ChannelModule[]; channelOverrides?: ChannelRegistry };

/** Builds Switchboard from a config and starts the parts its ROLE asks for. */
export async function startSwitchboard(vendorConfig: Config, opts: StartOptions = {}): Promise<Switchboard> {
  // The sandbox plays every vendor, credentials included: chosen here, once; nothing downstream asks.
  const config = vendorConfig.sandbox.enabled ? withSandboxCredentials(vendorConfig) : vendorConfig;
  const log = opts.logger ?? createLogger(config.logLevel, { role: config.role });
  announceVendors(vendorConfig, log);
  if (config.jwtSecretGenerated) {
    log.warn('JWT_SECRET is not set: generated one for this process; tokens will not survive a restart or work across processes');
  }
  configurePasswordHashing(config.access.passwordHashConcurrency);
  await ensureDatabase(config.databaseUrl);
  await migrateDb(config.databaseUrl);
  const dbHandle = connectDb(config.databaseUrl);

  // BullMQ wants maxRetriesPerRequest: null so a Redis restart pauses work instead of failing it.
  const redisOpts = { maxRetriesPerRequest: null, enableReadyCheck: true } as const;
  const redis = connectRedis(config, redisOpts);
  redis.on('error', (err) => log.warn({ err }, 'redis connection error'));
  await warnOnEvictionPolicy(redis, log);

  const queues = createQueues(redis, config.redisPrefix, log);
  // Admin changes reach every process' copies through their own subscribed connection.
  const changeSub = connectRedis(config, redisOpts);
  changeSub.on('error', (err) => log.warn({ err }, 'redis (admin changes) connection error'));
  const changes = createChangeFeed(redis, changeSub, config.redisPrefix, log);
  // Socket.IO events and routing triggers get a connection of their own that sends every command
  // of one event-loop turn in one write (ioredis auto-pipelining): a text's two events and its
  // trigger went out one write syscall each. Not BullMQ's connection: its scripts are not meant
  // to be auto-pipelined.
  const publishRedis = connectRedis(config, { ...redisOpts, enableAutoPipelining: true });
  publishRedis.on('error', (err) => log.warn({ err }, 'redis (events) connection error'));
  const base = {
    config,
    db: dbHandle.db,
    log,
    jobs: createJobScheduler(queues, log, { sendAttempts: config.sends.attempts, triggers: publishRedis }),
    realtime: createPublisher(publishRedis, config.redisPrefix),
    adminCache: createAdminCache(dbHandle.db, changes),
  };
  const local: LocalEndpoints = {};
  const vendors = config.sandbox.enabled ? sandboxVendorClients(config, dbHandle.db) : realVendorClients(config);
  const modules = [...(opts.modules ?? CHANNEL_MODULES), ...(config.sandbox.enabled ? [sandboxModule(local)] : [])];
  const calls = modules.map((m) => m.callControl?.(base, vendors)).find((c) => c) ?? null;
  // Web processes keep webhooks they cannot commit (Postgres away) in a local journal; see webhook-journal.ts.
  const journal = config.role === 'worker' ? undefined : await createWebhookJournal(config.webhookJournalDir, log);
  const metrics = createMetrics();
  const deps: Deps = { ...base, calls, channels: {}, journal, metrics };
  Object.assign(deps.channels, ...modules.map((m) => m.senders?.(deps, vendors) ?? {}), opts.channelOverrides);
  await bootstrap(deps);

  const stops: (() => Promise<void>)[] = [];
  let http: HttpServer | undefined;
  let io: IoServer | undefined;
  let port: number | undefined;

  if (config.role !== 'web') {
    const workers = await startWorkers(deps, redis, queues);
    stops.push(() => workers.close());
    // A Redis that came back empty has forgotten the reconciler's schedule and the drain limit: declare them again on every reconnect.
    const redeclare = () => {
      declareWorkerSettings(queues, config.routing.reconcileIntervalSeconds).catch((err) =>
        log.warn({ err }, 'could not re-declare the reconcile schedule and the drain limit'),
      );
    };
    redis.on('ready', redeclare);
    stops.unshift(async () => {
      redis.off('ready', redeclare);
    });
  }
  if (config.role !== 'worker') {
    const app = createHttpApp(deps, {
      redis,
      metrics,
      webhooks: [...modules.flatMap((m) => m.routers?.(deps, vendors) ?? []), systemRouter(deps, missingVendors(vendorConfig))],
    });
    if (config.metrics.port) {
      const metricsServer = await startMetricsServer(metrics, config.metrics.port);
      stops.push(() => metricsServer.close());
    }
    // Replayers are registered with the routes: replay (this process' journal and any orphaned one) from now on.
    journal?.start();
    stops.push(async () => journal?.stop());
    http = createServer(app);
    const pub = connectRedis(config, redisOpts);
    const sub = connectRedis(config, redisOpts);
    for (const c of [pub, sub]) c.on('error', (err) => log.warn({ err }, 'redis (socket.io) connection error'));
    io = createRealtimeServer(deps, http, { pub, sub });
    for (const m of modules) {
      if (m.start) {
        const started = await m.start(deps, vendors, { redis });
        if (m.name === 'email' && started.port) local.smtpPort = started.port;
        stops.push(() => started.stop());
      }
    }
    await new Promise<void>((resolve, reject) => {
      http!.once('error', reject);
      http!.listen(config.port, () => resolve());
    });
    port = (http.address() as AddressInfo).port;
    local.httpBase = `http://127.0.0.1:${port}`;
    log.info({ port, publicUrl: config.publicUrl }, 'switchboard listening');
    const server = http;
    const ioServer = io;
    stops.unshift(async () => {
      // 1. Stop accepting: new requests and socket handshakes go to the other web processes.
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      // 2. Drop agents' transports now (not a Socket.IO "server disconnect", after which a client
      //    would stay away): their clients reconnect by themselves, through the proxy, to another process.
      ioServer.engine.close();
      // 3. Let requests in flight finish (a webhook commits before it answers), bounded; keep-alive
      //    connections are closed as soon as they go idle.
      const idle = setInterval(() => server.closeIdleConnections(), 100);
      server.closeIdleConnections();
      await Promise.race([drained, new Promise((r) => setTimeout(r, DRAIN_TIMEOUT_MS).unref())]);
      clearInterval(idle);
      server.closeAllConnections();
      await ioServer.close();
      pub.disconnect();
      sub.disconnect();
    });
  }

  let stopped = false;
  return {
    deps,
    http,
    io,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const s of stops) await s().catch((err) => log.warn({ err }, 'error while stopping'));
      await queues.close().catch(() => {});
      changes.close();
      publishRedis.disconnect();
      redis.disconnect();
      await dbHandle.close();
    },
  };
}

/** REDIS_URL, or the master Sentinel elects (following failovers); password and db still come from REDIS_URL. */
function connectRedis(config: Config, opts: RedisOptions): Redis {
  if (!config.redisSentinel) return new Redis(config.redisUrl, opts);
  const url = new URL(config.redisUrl);
  return new Redis({
    ...opts,
    sentinels: config.redisSentinel.sentinels,
    name: config.redisSentinel.name,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: Number(url.pathname.slice(1)) || 0,
  });
}

/**
 * Says at start where outbound goes. In production a missing vendor is an error in the log (the desk
 * shows it too), never a quiet fall-back to the sandbox: that only happens with SANDBOX=true.
 */
function announceVendors(config: Config, log: Logger) {
  if (config.sandbox.enabled) {
    log.warn(
      { explicit: config.sandbox.explicit },
      'Sandbox: nothing is sent to real people. Texts, calls, mail and Slack posts go to the built-in sandbox (/sandbox in the desk)',
    );
    return;
  }
  const missing = missingVendors(config);
  if (config.nodeEnv === 'production' && missing.length) {
    log.error(
      { missing },
      `not configured: ${missing.join('; ')}. Replies on those channels cannot be sent (set SANDBOX=true to try Switchboard without vendors)`,
    );
  }
}

/** Which vendors lack credentials, in words an operator acts on. */
export function missingVendors(config: Config): string[] {
  const missing: string[] = [];
  if (!config.twilio.accountSid || !config.twilio.authToken) missing.push('Twilio (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN): SMS and calls');
  if (!config.mail.smtpUrl) missing.push('mail (SMTP_URL): email replies');
  if (!config.slack.botToken || !config.slack.signingSecret) missing.push('Slack (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET)');
  return missing;
}

/** How long a stopping web process waits for HTTP requests in flight. */
const DRAIN_TIMEOUT_MS = 10_000;

/** BullMQ loses jobs if Redis may evict keys: say so at start (it is a setting of the Redis server). */
async function warnOnEvictionPolicy(redis: Redis, log: Logger) {
  try {
    const res = (await redis.config('GET', 'maxmemory-policy')) as string[];
    const policy = res[1];
    if (policy && policy !== 'noeviction') {
      log.warn(
        { policy },
        "Redis maxmemory-policy is not 'noeviction': queued jobs may be evicted (the reconciler recovers routing, but set noeviction)",
      );
    }
  } catch {
    // CONFIG may be disabled on managed Redis; nothing to check then.
  }
}
