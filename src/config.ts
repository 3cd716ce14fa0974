import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { z } from 'zod';

/**
 * The one place that reads the environment. Everything else gets a `Config`
 * passed down from `main.ts` (or built directly by tests).
 */
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const optionalUrl = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))
  .pipe(z.url().optional());

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const intFrom = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

export const ZEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  ROLE: z.enum(['all', 'web', 'worker']).default('all'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: intFrom(3000).pipe(z.number().max(65535)),
  PUBLIC_URL: optionalUrl,
  DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/switchboard'),
  REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
  // Braces allowed for a Redis Cluster hash tag, e.g. {sb}: every key of the installation then shares one slot.
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_:.{}-]+$/, 'letters, digits and _ : . - { } only')
    .default('sb'),
  /** Redis Sentinel: comma-separated host:port list; the master named REDIS_SENTINEL_NAME is used (password/db from REDIS_URL). */
  REDIS_SENTINELS: optionalString.pipe(
    z
      .string()
      .regex(/^\s*[^\s:,]+:\d+(\s*,\s*[^\s:,]+:\d+)*\s*$/, 'host:port[,host:port…]')
      .optional(),
  ),
  REDIS_SENTINEL_NAME: z.string().min(1).default('mymaster'),
  TWILIO_ACCOUNT_SID: optionalString,
  TWILIO_AUTH_TOKEN: optionalString,
  TWILIO_API_KEY: optionalString,
  TWILIO_API_SECRET: optionalString,
  TWILIO_TWIML_APP_SID: optionalString,
  TWILIO_API_URL: optionalUrl,
  /**
   * `true`: outbound texts, mail and Slack posts go to the built-in sandbox (`/sandbox`), never to the vendors.
   * Unset: on outside production when TWILIO_ACCOUNT_SID is not set. `false`: never.
   */
  SANDBOX: optionalString.pipe(z.enum(['true', 'false']).optional()),
  SLACK_BOT_TOKEN: optionalString,
  SLACK_SIGNING_SECRET: optionalString,
  SLACK_API_URL: optionalUrl,
  SMTP_URL: optionalString,
  MAIL_FROM: optionalString.pipe(z.string().optional()),
  INBOUND_SMTP_PORT: intFrom(2525).pipe(z.number().max(65535)),
  INBOUND_EMAIL_DOMAIN: optionalString,
  /** Largest inbound mail accepted (SIZE is advertised; bigger mail gets 552). Each session holds up to this much in memory. */
  INBOUND_EMAIL_MAX_MB: z.coerce.number().positive().max(100).default(10),
  /** SMTP connections one process serves at once; more are answered 421. */
  INBOUND_SMTP_MAX_CLIENTS: intFrom(20, 1).pipe(z.number().max(1000)),
  /** Mails accepted per sender address (MAIL FROM) per hour, across all processes (Redis); more get 450. 0 = no limit. */
  INBOUND_EMAIL_PER_SENDER_PER_HOUR: intFrom(60, 0),
  /** Mails accepted per client IP address per hour (a relay in front is one client: raise it or set 0). 0 = no limit. */
  INBOUND_EMAIL_PER_CLIENT_PER_HOUR: intFrom(600, 0),
  /** PEM certificate and key files: with both, the inbound server offers STARTTLS. */
  INBOUND_SMTP_TLS_CERT: optionalString,
  INBOUND_SMTP_TLS_KEY: optionalString,
  /**
   * authserv-id of the relay in front (e.g. `mx.google.com`) whose Authentication-Results header is
   * trusted instead of checking SPF/DKIM/DMARC ourselves (the client IP is the relay's then).
   */
  INBOUND_EMAIL_AUTH_RELAY: optionalString,
  /** Signs our outbound Message-IDs so replies thread safely; derived from JWT_SECRET when unset. */
  EMAIL_THREAD_SECRET: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  JWT_SECRET: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  /**
   * Lifetime of the signed links the desk opens attachments and recordings with (an <img> or <audio>
   * cannot send the bearer token); authorisation is checked when a link is issued.
   */
  FILE_URL_TTL_SECONDS: intFrom(300, 30).pipe(z.number().max(24 * 3600)),
  /** Signs those links; derived from JWT_SECRET when unset (every web process must share it). */
  FILE_URL_SECRET: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  ADMIN_EMAIL: optionalString.pipe(z.email().optional()),
  ADMIN_PASSWORD: optionalString.pipe(z.string().min(8, 'must be at least 8 characters').optional()),
  RESERVATION_TIMEOUT_SECONDS: intFrom(30, 1),
  VOICE_RESERVATION_TIMEOUT_SECONDS: intFrom(15, 1),
  /** Countries (ISO 3166 alpha-2, comma-separated) outbound calls and callbacks may ring; premium-rate numbers never. */
  VOICE_ALLOWED_COUNTRIES: z
    .string()
    .default('US,CA')
    .transform((s) => [...new Set(s.split(',').map((c) => c.trim().toUpperCase()))].filter(Boolean))
    .pipe(z.array(z.string().regex(/^[A-Z]{2}$/, 'comma-separated ISO 3166 country codes, e.g. US,CA')).min(1, 'at least one country')),
  /** How long an agent who declined or let an offer lapse is skipped for that same conversation. */
  REOFFER_COOLDOWN_SECONDS: intFrom(60, 0),
  /** Period of the reconciler that re-drives anything a crash or a Redis outage left behind. */
  RECONCILE_INTERVAL_SECONDS: intFrom(5, 1),
  /**
   * Where web processes keep verified webhooks that could not be committed while Postgres is away
   * (append-only, fsynced; replayed when it is back). Put it on a persistent volume.
   */
  WEBHOOK_JOURNAL_DIR: z.string().min(1).default('data/webhook-journal'),
  /** How many times a send is tried (exponential back-off from 1 s) before the reply ends `failed`. */
  SEND_ATTEMPTS: intFrom(12, 1),
  /**
   * A reply still `sending` this long after it was claimed lost its sender mid-call (a killed worker):
   * it is reported `failed` ("outcome unknown") rather than sent again blindly.
   */
  SEND_UNKNOWN_AFTER_SECONDS: intFrom(120, 1),
  /** Offers an agent may let time out in a row before being set `away`. */
  MAX_CONSECUTIVE_TIMEOUTS: intFrom(3, 1),
  /** Seconds in `wrap-up` after a call before the agent is available again. */
  WRAP_UP_SECONDS: intFrom(30, 0),
  /**
   * Seconds an agent's desk may have no socket before the agent is set `offline`. Long enough for a
   * reload or a network blip (the desk reconnects within 5 s), short enough that contacts are not
   * offered to a closed tab for long.
   */
  PRESENCE_GRACE_SECONDS: intFrom(10, 1),
  /** A returning contact goes first to the agent who handled them within this many seconds (0 = off). */
  STICKY_WINDOW_SECONDS: intFrom(7 * 24 * 3600, 0),
  /** Rolling window of the live queue figures (service level, abandon rate, offers). */
  STATS_WINDOW_SECONDS: intFrom(3600, 60),
  IVR_FLOWS_DIR: z.string().default('ivr-flows'),
  /**
   * Resolved (and abandoned) conversations are deleted, with their messages, attachments, raw mail
   * and recordings, this many days after they closed, by a nightly job. Unset = kept (off).
   */
  RETENTION_DAYS: optionalString.pipe(
    z.string().regex(/^\d+$/, 'must be a whole number of days').transform(Number).pipe(z.number().int().min(1).max(36500)).optional(),
  ),
  /**
   * Reverse proxies in front of Switchboard: the client address is read that many hops back in
   * X-Forwarded-For. 0 (the default) ignores the header, so nobody can choose their own address.
   */
  TRUST_PROXY: intFrom(0, 0).pipe(z.number().max(10)),
  /** Failed logins per email and per client address within LOGIN_WINDOW_MINUTES before logins answer 429. */
  LOGIN_MAX_FAILURES: intFrom(10, 1),
  LOGIN_WINDOW_MINUTES: intFrom(15, 1),
  /** Password hashes computed at once by this process; more wait (briefly) or get 503, so a flood cannot starve webhooks. */
  PASSWORD_HASH_CONCURRENCY: intFrom(2, 1).pipe(z.number().max(32)),
  /** Lifetime of an access token; the desk renews it with its refresh cookie. */
  ACCESS_TOKEN_TTL_SECONDS: intFrom(15 * 60, 60).pipe(z.number().max(24 * 3600)),
  /** A sign-in lasts this long at most, however often its token is refreshed. */
  SESSION_HOURS: intFrom(12, 1).pipe(z.number().max(24 * 30)),
  /** Roles that must use a second factor (TOTP) to sign in with a password, e.g. `admin,supervisor`. */
  MFA_REQUIRED_FOR: optionalString.pipe(
    z
      .string()
      .regex(/^\s*(agent|supervisor|admin)(\s*,\s*(agent|supervisor|admin))*\s*$/, 'comma-separated roles: agent, supervisor, admin')
      .optional(),
  ),
  /** Encrypts TOTP secrets at rest; derived from JWT_SECRET when unset. */
  MFA_SECRET_KEY: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  OIDC_ISSUER: optionalUrl,
  OIDC_CLIENT_ID: optionalString,
  OIDC_CLIENT_SECRET: optionalString,
  /** Role given to someone the provider vouches for who has no agent yet; unset = never create agents. */
  OIDC_AUTO_PROVISION: optionalString.pipe(z.enum(['agent', 'supervisor', 'admin']).optional()),
  /** Label of the sign-in button, e.g. `Microsoft`. */
  OIDC_LABEL: z.string().min(1).max(60).default('single sign-on'),
  /** Scopes asked of the provider. */
  OIDC_SCOPES: z.string().min(1).default('openid email profile'),
  /** Bearer token Prometheus sends for GET /metrics on the main port. */
  /** The organisation's time zone (IANA name): report days and hours follow it. */
  TZ: z
    .string()
    .trim()
    .default('UTC')
    .transform((v) => v.replace(/^:/, '') || 'UTC')
    .refine((v) => isTimeZone(v), 'must be an IANA time zone such as UTC or America/New_York'),
  METRICS_TOKEN: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  /** Serve /metrics (without a token) on this port, bound to 127.0.0.1 only. */
  METRICS_PORT: optionalString.pipe(
    z.string().regex(/^\d+$/, 'must be a port number').transform(Number).pipe(z.number().int().min(1).max(65535)).optional(),
  ),
});

export type Env = z.infer<typeof ZEnv>;

export type Config = {
  nodeEnv: Env['NODE_ENV'];
  role: Env['ROLE'];
  logLevel: Env['LOG_LEVEL'];
  port: number;
  publicUrl: string;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  /** Set when Redis is reached through Sentinel (extension). */
  redisSentinel?: { sentinels: { host: string; port: number }[]; name: string };
  twilio: {
    accountSid?: string;
    authToken?: string;
    apiKey?: string;
    apiSecret?: string;
    twimlAppSid?: string;
    apiUrl?: string;
  };
  slack: { botToken?: string; signingSecret?: string; apiUrl?: string };
  /** The built-in sandbox replaces every vendor (see src/sandbox); `explicit` when SANDBOX=true asked for it. */
  sandbox: { enabled: boolean; explicit: boolean };
  mail: {
    smtpUrl?: string;
    from?: string;
    inboundPort: number;
    inboundDomain?: string;
    maxInboundBytes: number;
    threadSecret?: string;
    maxClients: number;
    /** Per hour; 0 = unlimited. */
    rateLimits: { perSender: number; perClient: number };
    /** Paths of the PEM files for STARTTLS. */
    tls?: { certFile: string; keyFile: string };
    /** authserv-id whose Authentication-Results we trust (sender authentication by the relay). */
    authRelay?: string;
  };
  jwtSecret: string;
  /** Signed links to attachments and recordings (FILE_URL_*). */
  files: { urlTtlSeconds: number; urlSecret: string };
  /** True when JWT_SECRET was not set and a random one was made for this process. */
  jwtSecretGenerated: boolean;
  admin: { email?: string; password?: string };
  routing: {
    reservationTimeoutSeconds: number;
    voiceReservationTimeoutSeconds: number;
    reofferCooldownSeconds: number;
    reconcileIntervalSeconds: number;
    maxConsecutiveTimeouts: number;
    wrapUpSeconds: number;
    presenceGraceSeconds: number;
    stickyWindowSeconds: number;
    statsWindowSeconds: number;
  };
  sends: { attempts: number; unknownAfterSeconds: number };
  voice: { allowedCountries: string[] };
  webhookJournalDir: string;
  ivrFlowsDir: string;
  /** Days a closed conversation is kept (RETENTION_DAYS); undefined = forever. */
  retentionDays?: number;
  access: {
    trustProxyHops: number;
    login: { maxFailures: number; windowSeconds: number };
    passwordHashConcurrency: number;
    accessTokenTtlSeconds: number;
    sessionSeconds: number;
    mfaRequiredFor: Role[];
    mfaSecretKey: string;
    /** Set when OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are. */
    oidc?: { issuer: string; clientId: string; clientSecret: string; autoProvision?: Role; label: string; scopes: string };
  };
  metrics: { token?: string; port?: number };
  /** The organisation's time zone (TZ): report days and hours follow it. */
  timezone: string;
};

type Role = 'agent' | 'supervisor' | 'admin';

export class ConfigError extends Error {}

/** Parses the environment (and `.env` if present); throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, opts: { envFile?: string } = {}): Config {
  const envFile = opts.envFile ?? '.env';
  if (env === process.env && existsSync(envFile)) process.loadEnvFile(envFile);
  const parsed = ZEnv.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`Invalid configuration: ${name}: ${issue.message}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.JWT_SECRET) {
    throw new ConfigError('Invalid configuration: JWT_SECRET: required when NODE_ENV=production');
  }
  const oidcParts = { OIDC_ISSUER: e.OIDC_ISSUER, OIDC_CLIENT_ID: e.OIDC_CLIENT_ID, OIDC_CLIENT_SECRET: e.OIDC_CLIENT_SECRET };
  const oidcMissing = Object.entries(oidcParts).filter(([, v]) => !v);
  if (oidcMissing.length > 0 && oidcMissing.length < 3) {
    throw new ConfigError(`Invalid configuration: ${oidcMissing[0][0]}: required when any OIDC_ variable is set`);
  }
  if (!e.INBOUND_SMTP_TLS_CERT !== !e.INBOUND_SMTP_TLS_KEY) {
    const missing = e.INBOUND_SMTP_TLS_CERT ? 'INBOUND_SMTP_TLS_KEY' : 'INBOUND_SMTP_TLS_CERT';
    throw new ConfigError(`Invalid configuration: ${missing}: required when the other INBOUND_SMTP_TLS_ variable is set`);
  }
  const jwtSecret = e.JWT_SECRET ?? randomBytes(32).toString('hex');
  return {
    nodeEnv: e.NODE_ENV,
    role: e.ROLE,
    logLevel: e.LOG_LEVEL,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    redisSentinel: e.REDIS_SENTINELS
      ? {
          sentinels: e.REDIS_SENTINELS.split(',').map((hp) => {
            const [host, port] = hp.trim().split(':') as [string, string];
            return { host, port: Number(port) };
          }),
          name: e.REDIS_SENTINEL_NAME,
        }
      : undefined,
    twilio: {
      accountSid: e.TWILIO_ACCOUNT_SID,
      authToken: e.TWILIO_AUTH_TOKEN,
      apiKey: e.TWILIO_API_KEY,
      apiSecret: e.TWILIO_API_SECRET,
      twimlAppSid: e.TWILIO_TWIML_APP_SID,
      apiUrl: e.TWILIO_API_URL,
    },
    slack: { botToken: e.SLACK_BOT_TOKEN, signingSecret: e.SLACK_SIGNING_SECRET, apiUrl: e.SLACK_API_URL },
    sandbox: {
      // Never on by accident in production: there only SANDBOX=true turns it on.
      enabled: e.SANDBOX === 'true' || (e.SANDBOX === undefined && e.NODE_ENV !== 'production' && !e.TWILIO_ACCOUNT_SID),
      explicit: e.SANDBOX === 'true',
    },
    mail: {
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM,
      inboundPort: e.INBOUND_SMTP_PORT,
      inboundDomain: e.INBOUND_EMAIL_DOMAIN?.toLowerCase(),
      maxInboundBytes: Math.round(e.INBOUND_EMAIL_MAX_MB * 1024 * 1024),
      threadSecret: e.EMAIL_THREAD_SECRET,
      maxClients: e.INBOUND_SMTP_MAX_CLIENTS,
      rateLimits: { perSender: e.INBOUND_EMAIL_PER_SENDER_PER_HOUR, perClient: e.INBOUND_EMAIL_PER_CLIENT_PER_HOUR },
      tls:
        e.INBOUND_SMTP_TLS_CERT && e.INBOUND_SMTP_TLS_KEY
          ? { certFile: e.INBOUND_SMTP_TLS_CERT, keyFile: e.INBOUND_SMTP_TLS_KEY }
          : undefined,
      authRelay: e.INBOUND_EMAIL_AUTH_RELAY?.toLowerCase(),
    },
    jwtSecret,
    files: { urlTtlSeconds: e.FILE_URL_TTL_SECONDS, urlSecret: e.FILE_URL_SECRET ?? `files:${jwtSecret}` },
    jwtSecretGenerated: !e.JWT_SECRET,
    admin: { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD },
    routing: {
      reservationTimeoutSeconds: e.RESERVATION_TIMEOUT_SECONDS,
      voiceReservationTimeoutSeconds: e.VOICE_RESERVATION_TIMEOUT_SECONDS,
      reofferCooldownSeconds: e.REOFFER_COOLDOWN_SECONDS,
      reconcileIntervalSeconds: e.RECONCILE_INTERVAL_SECONDS,
      maxConsecutiveTimeouts: e.MAX_CONSECUTIVE_TIMEOUTS,
      wrapUpSeconds: e.WRAP_UP_SECONDS,
      presenceGraceSeconds: e.PRESENCE_GRACE_SECONDS,
      stickyWindowSeconds: e.STICKY_WINDOW_SECONDS,
      statsWindowSeconds: e.STATS_WINDOW_SECONDS,
    },
    sends: { attempts: e.SEND_ATTEMPTS, unknownAfterSeconds: e.SEND_UNKNOWN_AFTER_SECONDS },
    voice: { allowedCountries: e.VOICE_ALLOWED_COUNTRIES },
    webhookJournalDir: e.WEBHOOK_JOURNAL_DIR,
    ivrFlowsDir: e.IVR_FLOWS_DIR,
    retentionDays: e.RETENTION_DAYS,
    access: {
      trustProxyHops: e.TRUST_PROXY,
      login: { maxFailures: e.LOGIN_MAX_FAILURES, windowSeconds: e.LOGIN_WINDOW_MINUTES * 60 },
      passwordHashConcurrency: e.PASSWORD_HASH_CONCURRENCY,
      accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      sessionSeconds: e.SESSION_HOURS * 3600,
      mfaRequiredFor: [...new Set((e.MFA_REQUIRED_FOR ?? '').split(',').map((r) => r.trim()))].filter((r): r is Role => r !== ''),
      mfaSecretKey: e.MFA_SECRET_KEY ?? `mfa:${jwtSecret}`,
      oidc:
        e.OIDC_ISSUER && e.OIDC_CLIENT_ID && e.OIDC_CLIENT_SECRET
          ? {
              issuer: e.OIDC_ISSUER,
              clientId: e.OIDC_CLIENT_ID,
              clientSecret: e.OIDC_CLIENT_SECRET,
              autoProvision: e.OIDC_AUTO_PROVISION,
              label: e.OIDC_LABEL,
              scopes: e.OIDC_SCOPES,
            }
          : undefined,
    },
    metrics: { token: e.METRICS_TOKEN, port: e.METRICS_PORT },
    timezone: e.TZ,
  };
}
