import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { desc, eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import twilio from 'twilio';
import { io as ioClient, type Socket } from 'socket.io-client';
import { loadConfig, type Config } from '../../src/config.js';
import { contactIdentities, conversations, type ConversationRow } from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { startSwitchboard, type StartOptions, type Switchboard } from '../../src/switchboard.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio-api.js';
import { CHANNEL_MODULES } from '../../src/channels/index.js';
import { emailChannelWith } from '../../src/channels/email/index.js';

/**
 * Tests never ask the real DNS (sender authentication of inbound mail): every name is unknown,
 * so mail is `none` (not verified, not failed) unless a test passes its own `dnsResolver`.
 */
export const NO_DNS = async (name: string): Promise<string[][]> => {
  throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
};
/** The channel modules with the email module's DNS lookups answered by `resolver`. */
export const modulesWithDns = (resolver: (name: string, rrtype: string) => Promise<string[][] | string[]>) =>
  CHANNEL_MODULES.map((m) => (m.name === 'email' ? emailChannelWith({ resolver }) : m));

export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TWILIO_AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
export const TWILIO_ACCOUNT_SID = 'AC' + '0'.repeat(32);
export const PUBLIC_URL = 'https://switchboard.test';
export const ADMIN = { email: 'admin@example.org', password: 'admin-password-1' };
export const HOTLINE = '+15005550006';

/** Waits until `fn` stops throwing (or returns truthy), like the STYLE guide's expectEventually. */
export async function eventually<T>(
  fn: () => T | Promise<T>,
  { timeout = 10_000, interval = 50 } = {},
): Promise<Exclude<T, undefined | null | false>> {
  const start = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== false && v !== undefined && v !== null) return v as Exclude<T, undefined | null | false>;
      last = new Error(`condition returned ${String(v)}`);
    } catch (err) {
      last = err;
    }
    if (Date.now() - start > timeout) throw last;
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** A fresh database and Redis prefix for one test file; `drop()` removes both. */
export async function isolatedStores(label = 'sb') {
  const id = `${label
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(0, 20)}_${randomBytes(4).toString('hex')}`;
  const dbName = `sbt_${id}`;
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${dbName}`;
  return {
    databaseUrl: url.toString(),
    redisPrefix: `sbt:${id}`,
    async drop() {
      const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists "${dbName}" with (force)`).catch(() => {});
      await admin.end({ timeout: 5 });
      const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `sbt:${id}*`, 'COUNT', 500);
        cursor = next;
        if (keys.length) await redis.unlink(...keys);
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}

export function testConfig(stores: { databaseUrl: string; redisPrefix: string }, env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PORT: '0',
    PUBLIC_URL,
    DATABASE_URL: stores.databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: stores.redisPrefix,
    JWT_SECRET: 'test-jwt-secret-0123456789abcdef',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN,
    RECONCILE_INTERVAL_SECONDS: '1',
    // Tests talk to the fakes in test/fakes; the sandbox tests turn it on themselves.
    SANDBOX: 'false',
    // Each test app its own journal folder: another file's app must never replay into this database.
    WEBHOOK_JOURNAL_DIR: join(tmpdir(), `sb-journal-${stores.redisPrefix.replace(/[^a-z0-9_]/gi, '_')}`),
    ...env,
  });
}

export type TestApp = {
  sb: Switchboard;
  config: Config;
  url: string;
  twilio: FakeTwilio;
  stores: Awaited<ReturnType<typeof isolatedStores>>;
  /** JSON API call; `token` defaults to the admin's. */
  api<T = any>(method: string, path: string, body?: unknown, token?: string | null): Promise<{ status: number; body: T }>;
  adminToken: string;
  login(email: string, password: string): Promise<string>;
  /** Creates an agent (as admin), sets it available unless told otherwise, and returns its token and id. */
  agent(opts: {
    name: string;
    queues?: (string | { queue: string; level: number })[];
    capacity?: Record<string, number>;
    role?: string;
    available?: boolean;
  }): Promise<{ id: string; token: string; email: string }>;
  /** POSTs a form to a Twilio webhook path, signed the way Twilio signs it (or with `signature`). */
  twilioPost(path: string, params: Record<string, string>, opts?: { signature?: string | null }): Promise<{ status: number; text: string }>;
  sms(from: string, body: string, extra?: Record<string, string>): Promise<{ status: number; text: string; sid: string }>;
  /** The newest conversation of the contact with this address (phone, email, Slack user), once it is stored. */
  conversationOf(address: string): Promise<ConversationRow>;
  socket(token: string): Promise<AgentSocket>;
  /**
   * Stops this Switchboard (web + worker) and starts a fresh one on the same database, Redis
   * prefix and fake Twilio, as a restart would; `app.sb` and `app.url` then point at the new one.
   */
  restart(): Promise<void>;
  /** Starts one more process on the same stores (a second worker by default); stopped with the app. */
  extraProcess(env?: Record<string, string>): Promise<Switchboard>;
  stop(): Promise<void>;
};

/** Starts Switchboard (web + worker in this process) on its own database, Redis prefix and fake Twilio. */
export async function startTestApp(label: string, env: Record<string, string> = {}, startOpts: StartOptions = {}): Promise<TestApp> {
  const opts: StartOptions = { modules: modulesWithDns(NO_DNS), ...startOpts };
  const stores = await isolatedStores(label);
  const fake = await startFakeTwilio();
  const baseEnv = env;
  const config = testConfig(stores, { TWILIO_API_URL: fake.url, ...env });
  let sb = await startSwitchboard(config, { logger: createLogger(config.logLevel), ...opts });
  let url = `http://127.0.0.1:${sb.port}`;
  const sockets: AgentSocket[] = [];
  const extras: Switchboard[] = [];

  const api: TestApp['api'] = async (method, path, body, token) => {
    const headers: Record<string, string> = {};
    const t = token === undefined ? adminToken : token;
    if (t) headers.authorization = `Bearer ${t}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as any };
  };
  const login = async (email: string, password: string) => {
    const r = await api('POST', '/api/auth/login', { email, password }, null);
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token as string;
  };
  const adminToken = await login(ADMIN.email, ADMIN.password);

  const app: TestApp = {
    sb,
    config,
    url,
    twilio: fake,
    stores,
    api,
    adminToken,
    login,
    async agent({ name, queues = ['donor'], capacity, role = 'agent', available = true }) {
      const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${randomBytes(2).toString('hex')}@example.org`;
      const password = 'agent-password-1';
      const r = await api('POST', '/api/agents', { email, name, password, role, queues, ...(capacity ? { capacity } : {}) });
      if (r.status !== 201) throw new Error(`create agent failed: ${r.status} ${JSON.stringify(r.body)}`);
      const token = await login(email, password);
      if (available) {
        const s = await api('PUT', '/api/me/status', { status: 'available' }, token);
        if (s.status !== 200) throw new Error(`status failed: ${s.status}`);
      }
      return { id: r.body.agent.id as string, token, email };
    },
    async twilioPost(path, params, o = {}) {
      const signature =
        o.signature === undefined ? twilio.getExpectedTwilioSignature(TWILIO_AUTH_TOKEN, PUBLIC_URL + path, params) : o.signature;
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
      if (signature) headers['x-twilio-signature'] = signature;
      const res = await fetch(url + path, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
      return { status: res.status, text: await res.text() };
    },
    async sms(from, body, extra = {}) {
      const sid = extra.MessageSid ?? 'SM' + randomBytes(16).toString('hex');
      const r = await app.twilioPost('/webhooks/twilio/sms', {
        MessageSid: sid,
        AccountSid: TWILIO_ACCOUNT_SID,
        From: from,
        To: HOTLINE,
        Body: body,
        NumMedia: '0',
        ...extra,
      });
      return { ...r, sid };
    },
    conversationOf(address) {
      return eventually(async () => {
        const [row] = await app.sb.deps.db
          .select({ c: conversations })
          .from(conversations)
          .innerJoin(contactIdentities, eq(contactIdentities.contactId, conversations.contactId))
          .where(eq(contactIdentities.value, address))
          .orderBy(desc(conversations.createdAt))
          .limit(1);
        return row?.c;
      });
    },
    async socket(token) {
      const s = await connectAgentSocket(url, token);
      sockets.push(s);
      return s;
    },
    async restart() {
      for (const s of sockets.splice(0)) s.close();
      await sb.stop();
      sb = await startSwitchboard(config, { logger: createLogger(config.logLevel), ...opts });
      url = `http://127.0.0.1:${sb.port}`;
      app.sb = sb;
      app.url = url;
    },
    async extraProcess(env = { ROLE: 'worker' }) {
      const extraConfig = testConfig(stores, { TWILIO_API_URL: fake.url, ...baseEnv, ...env });
      const extra = await startSwitchboard(extraConfig, { logger: createLogger(extraConfig.logLevel), ...opts });
      extras.push(extra);
      return extra;
    },
    async stop() {
      for (const s of sockets) s.close();
      for (const e of extras) await e.stop();
      await sb.stop();
      await fake.close();
      await stores.drop();
      rmSync(config.webhookJournalDir, { recursive: true, force: true });
    },
  };
  return app;
}

export type AgentSocket = {
  socket: Socket;
  events: { event: string; payload: any }[];
  /** Resolves with the first matching event already received or arriving within the timeout. */
  waitFor(event: string, match?: (payload: any) => boolean, timeout?: number): Promise<any>;
  close(): void;
};

export async function connectAgentSocket(url: string, token: string): Promise<AgentSocket> {
  const socket = ioClient(url, { path: '/socket.io', auth: { token }, transports: ['websocket'], reconnection: true });
  const events: { event: string; payload: any }[] = [];
  socket.onAny((event, payload) => events.push({ event, payload }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  // Joining rooms happens right after connect on the server; give it a tick.
  await new Promise((r) => setTimeout(r, 50));
  return {
    socket,
    events,
    waitFor(event, match = () => true, timeout = 10_000) {
      return eventually(() => events.find((e) => e.event === event && match(e.payload))?.payload, { timeout });
    },
    close: () => socket.close(),
  };
}

/** A TCP port nobody listens on right now (for servers a test must name before they start). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export const randomPhone = () => `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
