import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import twilio from 'twilio';
import { expect } from 'vitest';
import { startFakeTwilio } from '../fakes/twilio-api.js';
import {
  ADMIN,
  connectAgentSocket,
  eventually,
  HOTLINE,
  isolatedStores,
  PUBLIC_URL,
  TEST_REDIS_URL,
  TWILIO_ACCOUNT_SID,
  TWILIO_AUTH_TOKEN,
  type AgentSocket,
  freePort,
} from '../helpers/harness.js';

/**
 * Real processes for the fault suite and the benchmark: Switchboard started
 * as separate processes (from source through tsx, ROLE=web|worker; the
 * compiled build is started by test/production-build.test.ts), a
 * private redis-server, TCP proxies to cut Postgres or balance web processes,
 * agent "bots" that accept every offer, and a sender that retries like Twilio.
 */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- processes

export type SbProcess = {
  name: string;
  role: 'web' | 'worker' | 'all';
  port: number;
  url: string;
  child: ChildProcess;
  pid: number;
  /** Last lines of output (pino JSON), for failure messages. */
  logs: string[];
  exited: Promise<number | null>;
  /** Resident memory in MB, read from /proc. */
  rssMb(): number;
  kill(signal: NodeJS.Signals): void;
};

/**
 * Starts `src/main.ts` through tsx's loader in a single node process (not via
 * `npx tsx`, whose wrapper processes would swallow a kill -9), and resolves
 * once it logs "switchboard started".
 */
export async function startSwitchboardProcess(
  name: string,
  role: SbProcess['role'],
  env: Record<string, string>,
  /** Another way to start it, e.g. the compiled `dist/main.js` of a built tree. */
  how: { args: string[]; cwd: string } = { args: ['--import', 'tsx', 'src/main.ts'], cwd: ROOT },
): Promise<SbProcess> {
  const port = role === 'worker' ? 0 : await freePort();
  const child = spawn(process.execPath, how.args, {
    cwd: how.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env, ROLE: role, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let started: () => void = () => {};
  const startedP = new Promise<void>((r) => (started = r));
  const onLine = (line: string) => {
    logs.push(line);
    if (logs.length > 300) logs.shift();
    if (line.includes('"switchboard started"')) started();
  };
  for (const stream of [child.stdout, child.stderr]) {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const res = await Promise.race([
    startedP.then(() => 'ok' as const),
    exited.then(() => 'exited' as const),
    sleep(60_000).then(() => 'timeout' as const),
  ]);
  if (res !== 'ok') {
    child.kill('SIGKILL');
    throw new Error(`${name} did not start (${res}):\n${logs.slice(-20).join('\n')}`);
  }
  return {
    name,
    role,
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    pid: child.pid!,
    logs,
    exited,
    rssMb() {
      try {
        const m = readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
        return m ? Number(m[1]) / 1024 : NaN;
      } catch {
        return NaN;
      }
    },
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

export function switchboardEnv(
  o: { databaseUrl: string; redisUrl: string; redisPrefix: string; twilioApiUrl: string },
  extra: Record<string, string> = {},
) {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    PUBLIC_URL,
    DATABASE_URL: o.databaseUrl,
    REDIS_URL: o.redisUrl,
    REDIS_PREFIX: o.redisPrefix,
    JWT_SECRET: 'fault-jwt-secret-0123456789abcdef',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    TWILIO_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN,
    TWILIO_API_URL: o.twilioApiUrl,
    RECONCILE_INTERVAL_SECONDS: '1',
    // Offers whose announcement a fault swallowed lapse quickly and go out again.
    RESERVATION_TIMEOUT_SECONDS: '4',
    REOFFER_COOLDOWN_SECONDS: '0',
    ...extra,
  };
}

// ---------------------------------------------------------------- redis

/** A throwaway redis-server (never the shared one): no persistence, so a restart comes back empty. */
export async function startPrivateRedis() {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const up = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
      {
        stdio: 'ignore',
      },
    );
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    probe.on('error', () => {});
    await eventually(async () => (await probe.ping()) === 'PONG', { timeout: 10_000 });
    probe.disconnect();
  };
  const down = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  };
  await up();
  return { url: `redis://127.0.0.1:${port}`, port, up, down, stop: down };
}

// ---------------------------------------------------------------- tcp proxy

/**
 * A TCP proxy. With one target it stands in for Postgres so a test can cut
 * the database off (`cut`) and bring it back (`restore`); with several it is
 * a round-robin balancer in front of web processes, skipping any that refuse.
 */
export async function startTcpProxy(targets: () => number[], opts: { mode?: 'round-robin' | 'first-alive' } = {}) {
  const open = new Set<net.Socket>();
  let isCut = false;
  let rr = 0;
  const server = net.createServer((client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    client.on('error', () => {});
    if (isCut) return void client.destroy();
    const list = targets();
    const attempt = (n: number) => {
      if (n >= list.length) return void client.destroy();
      // first-alive: always the first target that accepts (a failover pair); else round-robin.
      const port = opts.mode === 'first-alive' ? list[n] : list[rr++ % list.length];
      const up = net.connect(port, '127.0.0.1');
      let connected = false;
      up.once('connect', () => {
        connected = true;
        open.add(up);
        up.once('close', () => {
          open.delete(up);
          client.destroy();
        });
        client.once('close', () => up.destroy());
        client.pipe(up);
        up.pipe(client);
      });
      up.on('error', () => {
        if (!connected) attempt(n + 1);
      });
    };
    attempt(0);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    /** Stops listening and drops every open connection: new connections are refused, like a stopped database. */
    async cut() {
      isCut = true;
      const closed = new Promise((r) => server.close(r));
      for (const s of open) s.destroy();
      await closed;
    },
    async restore() {
      await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
      isCut = false;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        if (!server.listening) return r();
        server.close(() => r());
      }),
  };
}

// ---------------------------------------------------------------- API + bots

export async function api<T = any>(
  url: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed as T };
}

/** Retries an API call through network errors and 5xx (a web process stopping, Postgres away). */
async function apiRetry(url: string, method: string, path: string, body: unknown, token: string, deadlineMs = 30_000) {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      const r = await api(url, method, path, body, token);
      if (r.status < 500) return r;
    } catch {
      /* connection refused or reset: retry */
    }
    if (Date.now() > until) throw new Error(`${method} ${path} kept failing`);
    await sleep(250);
  }
}

export async function adminLogin(url: string) {
  const r = await apiRetry(url, 'POST', '/api/auth/login', { email: ADMIN.email, password: ADMIN.password }, '');
  if (r.status !== 200) throw new Error(`admin login failed: ${r.status}`);
  return r.body.token as string;
}

export type Bot = {
  id: string;
  name: string;
  sock: AgentSocket;
  /** reservation ids this bot was offered, in order. */
  offers: { reservationId: string; conversationId: string; at: number }[];
  accepted: string[];
  /** Replies the server refused or that got no answer ("<status> <body>"): a failed invariant names them. */
  refusedReplies: string[];
  reconnects: number;
  close(): void;
};

/**
 * Agents that accept every offer, send one reply (so outbound sends run too)
 * and resolve, freeing their capacity. `reply: false` skips the reply.
 */
export async function startBots(
  url: string,
  adminToken: string,
  n: number,
  opts: {
    reply?: boolean;
    /** false: accept every offer and keep the conversation (no resolve, so no survey text). Default true. */
    resolve?: boolean;
    /** false: leave every offer pending (the benchmark's webhook → offer path alone). Default true. */
    accept?: boolean;
    queue?: string;
    capacity?: number;
    onOffer?: (p: any, at: number) => void;
  } = {},
): Promise<Bot[]> {
  const bots: Bot[] = [];
  for (let i = 0; i < n; i++) {
    const email = `bot${i}.${randomBytes(3).toString('hex')}@example.org`;
    const created = await apiRetry(
      url,
      'POST',
      '/api/agents',
      {
        email,
        name: `Bot ${i}`,
        password: 'agent-password-1',
        role: 'agent',
        queues: [opts.queue ?? 'donor'],
        capacity: { sms: opts.capacity ?? 5 },
      },
      adminToken,
    );
    if (created.status !== 201) throw new Error(`create agent: ${created.status} ${JSON.stringify(created.body)}`);
    const login = await apiRetry(url, 'POST', '/api/auth/login', { email, password: 'agent-password-1' }, '');
    const token = login.body.token as string;
    await apiRetry(url, 'PUT', '/api/me/status', { status: 'available' }, token);
    const sock = await connectAgentSocket(url, token);
    const bot: Bot = {
      id: created.body.agent.id,
      name: `Bot ${i}`,
      sock,
      offers: [],
      accepted: [],
      refusedReplies: [],
      reconnects: 0,
      close: () => sock.close(),
    };
    sock.socket.io.on('reconnect', () => (bot.reconnects += 1));
    sock.socket.on('reservation.created', (p: any) => {
      const at = Date.now();
      opts.onOffer?.(p, at);
      bot.offers.push({ reservationId: p.reservationId, conversationId: p.conversationId, at });
      if (opts.accept === false) return;
      void (async () => {
        const acc = await apiRetry(url, 'POST', `/api/reservations/${p.reservationId}/accept`, undefined, token).catch(() => null);
        // An accept whose answer was lost (Postgres committed it, then the connection was cut) is
        // refused when tried again ("this offer is accepted"): the conversation is this bot's all the same.
        if (acc?.status !== 200) {
          const c = await apiRetry(url, 'GET', `/api/conversations/${p.conversationId}`, undefined, token).catch(() => null);
          if (c?.body?.conversation?.assigneeId !== bot.id || c.body.conversation.status !== 'assigned') return;
        }
        bot.accepted.push(p.conversationId);
        if (opts.reply !== false) {
          // One attempt only: retrying a reply whose answer was lost could store it twice.
          const sent = await api(
            url,
            'POST',
            `/api/conversations/${p.conversationId}/messages`,
            { body: `reply ${p.conversationId}` },
            token,
          ).catch((err: unknown) => ({ status: 'no answer', body: String(err) }));
          if (sent.status !== 201) bot.refusedReplies.push(`${sent.status} ${JSON.stringify(sent.body)}`);
        }
        if (opts.resolve === false) return;
        await apiRetry(url, 'POST', `/api/conversations/${p.conversationId}/resolve`, { disposition: 'answered' }, token).catch(() => null);
      })();
    });
    // Offers lost to a fault lapse; three lapses in a row set an agent away. A bot just comes back.
    sock.socket.on('agent.presence', (p: any) => {
      if (p.agentId === bot.id && p.presence !== 'available')
        void apiRetry(url, 'PUT', '/api/me/status', { status: 'available' }, token).catch(() => null);
    });
    bots.push(bot);
  }
  return bots;
}

// ---------------------------------------------------------------- inbound load

export type Contact = {
  phone: string;
  sid: string;
  sentAt?: number;
  statuses: (number | string)[];
  /** How long the last attempt at the webhook took to be answered. */
  webhookMs?: number;
};

export function makeContacts(n: number): Contact[] {
  const base = Math.floor(Math.random() * 8e6);
  return Array.from({ length: n }, (_, i) => ({
    phone: `+1555${String(base + i).padStart(7, '0')}`,
    sid: 'SM' + randomBytes(16).toString('hex'),
    statuses: [],
  }));
}

/** One signed Twilio SMS webhook. */
export async function postSms(url: string, c: Contact, body = 'I need help with my donation') {
  const params = { MessageSid: c.sid, AccountSid: TWILIO_ACCOUNT_SID, From: c.phone, To: HOTLINE, Body: body, NumMedia: '0' };
  const signature = twilio.getExpectedTwilioSignature(TWILIO_AUTH_TOKEN, PUBLIC_URL + '/webhooks/twilio/sms', params);
  const res = await fetch(url + '/webhooks/twilio/sms', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
    // Twilio gives a webhook 15 s.
    signal: AbortSignal.timeout(15_000),
  });
  await res.text();
  return res.status;
}

/**
 * Sends every contact's first text at a fixed concurrency and re-sends the
 * same MessageSid after anything but a 2xx — as Twilio does only with
 * connection overrides in the webhook URL (`#rc=…`); `retry: false` sends
 * each text once, as Twilio does by default.
 */
export async function sendContacts(url: string, contacts: Contact[], concurrency: number, opts: { gapMs?: number; retry?: boolean } = {}) {
  let next = 0;
  const workers = Array.from({ length: concurrency }, async () => {
    while (next < contacts.length) {
      const c = contacts[next++];
      for (let attempt = 0; attempt < 60; attempt++) {
        c.sentAt ??= Date.now();
        const attemptAt = Date.now();
        const status = await postSms(url, c).catch((err: Error) => err.name || 'error');
        c.webhookMs = Date.now() - attemptAt;
        c.statuses.push(status);
        if (status === 200 || opts.retry === false) break;
        await sleep(300);
      }
      if (opts.gapMs) await sleep(opts.gapMs);
    }
  });
  await Promise.all(workers);
}

// ---------------------------------------------------------------- invariants

/**
 * What "nothing lost, nothing doubled" means, read straight from Postgres and
 * the fake Twilio: each contact stored once with one conversation and one
 * inbound message, each conversation accepted by exactly one agent and never
 * offered to two at a time, each reply sent to Twilio once.
 */
export async function checkInvariants(databaseUrl: string, contacts: Contact[], sentBodies: string[], offerTimeoutSeconds = 4) {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const phones = contacts.map((c) => c.phone);
    const sids = contacts.map((c) => c.sid);
    const identities = await sql<{ value: string; n: number }[]>`
      select value, count(*)::int as n from contact_identities where kind = 'phone' and value = any(${phones}) group by value`;
    const inbound = await sql<{ external_id: string; n: number }[]>`
      select external_id, count(*)::int as n from messages where channel = 'sms' and direction = 'inbound' and external_id = any(${sids}) group by external_id`;
    const convs = await sql<{ value: string; n: number; open: number }[]>`
      select ci.value, count(c.id)::int as n, count(c.id) filter (where c.status in ('waiting', 'offered', 'assigned'))::int as open
      from contact_identities ci join conversations c on c.contact_id = ci.contact_id
      where ci.kind = 'phone' and ci.value = any(${phones}) group by ci.value`;
    const accepted = await sql<{ conversation_id: string; n: number }[]>`
      select c.id as conversation_id, count(r.id) filter (where r.status = 'accepted')::int as n
      from contact_identities ci join conversations c on c.contact_id = ci.contact_id left join reservations r on r.conversation_id = c.id
      where ci.kind = 'phone' and ci.value = any(${phones}) group by c.id`;
    // An offer B made while offer A on the same conversation was still live. The moment of an
    // offer is expires_at − timeout (taken once the router holds its lock; created_at is the
    // transaction's start, before the lock wait, so it would report false overlaps under load);
    // answered_at is when A was answered/expired/withdrawn. 1 s of slack absorbs a router paused
    // between reading the clock and reading the conversation; a real double offer lives for seconds.
    const overlapping = await sql<{ n: number }[]>`
      with r as (
        select id, conversation_id, expires_at - make_interval(secs => ${offerTimeoutSeconds}) as offered_at,
               coalesce(answered_at, 'infinity'::timestamptz) as released_at
        from reservations)
      select count(*)::int as n from r a join r b on a.conversation_id = b.conversation_id and a.id <> b.id
       and b.offered_at >= a.offered_at and b.offered_at < a.released_at - interval '1 second'`;
    const stuckSends = await sql<{ status: string; n: number }[]>`
      select status, count(*)::int as n from messages where direction = 'outbound' and status in ('pending', 'sending') group by status`;
    const failedSends = await sql<{ error: string; n: number }[]>`
      select coalesce(error, '') as error, count(*)::int as n from messages where direction = 'outbound' and status = 'failed' group by 1`;
    const byBody = new Map<string, number>();
    for (const b of sentBodies) byBody.set(b, (byBody.get(b) ?? 0) + 1);
    return {
      contacts: contacts.length,
      storedContacts: identities.length,
      contactsStoredTwice: identities.filter((r) => r.n !== 1).length,
      inboundStored: inbound.length,
      inboundStoredTwice: inbound.filter((r) => r.n !== 1).length,
      conversations: convs.reduce((s, r) => s + r.n, 0),
      contactsWithExtraConversations: convs.filter((r) => r.n !== 1).length,
      stillOpen: convs.reduce((s, r) => s + r.open, 0),
      conversationsNotAcceptedOnce: accepted.filter((r) => r.n !== 1).length,
      overlappingOffers: overlapping[0].n,
      stuckSends: Object.fromEntries(stuckSends.map((r) => [r.status, r.n])),
      /** Outbound messages that ended `failed`, by reason. */
      failedSends: Object.fromEntries(failedSends.map((r) => [r.error, r.n])),
      repliesSentTwice: [...byBody.values()].filter((n) => n > 1).length,
      // The agents' replies only: resolving also texts a satisfaction survey (core/csat), checked by repliesSentTwice with the rest.
      repliesSent: [...byBody.keys()].filter((b) => b.startsWith('reply ')).length,
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Waits until every contact's conversation was offered, accepted and resolved. */
export async function waitAllResolved(databaseUrl: string, contacts: Contact[], timeout = 60_000) {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const phones = contacts.map((c) => c.phone);
    await eventually(
      async () => {
        const [row] = await sql<{ resolved: number }[]>`
          select count(*)::int as resolved from contact_identities ci join conversations c on c.contact_id = ci.contact_id
          where ci.kind = 'phone' and ci.value = any(${phones}) and c.status = 'resolved'`;
        if (row.resolved < contacts.length) throw new Error(`${row.resolved}/${contacts.length} resolved`);
        return true;
      },
      { timeout, interval: 500 },
    );
  } finally {
    await sql.end({ timeout: 5 });
  }
}

// ---------------------------------------------------------------- a whole installation

export type Scenario = Awaited<ReturnType<typeof startScenario>>;

/**
 * One installation for one fault test file: its own database and Redis prefix
 * (optionally its own redis-server, or Postgres behind a cuttable proxy),
 * a fake Twilio, `webs` web and `workers` worker processes.
 */
export async function startScenario(
  label: string,
  o: {
    webs: number;
    workers: number;
    privateRedis?: boolean;
    /** Postgres through a proxy: a plain TCP proxy (`true`, to cut it), or one the caller starts (the benchmark's statement counter). */
    pgProxy?: boolean | ((postgresPort: number) => Promise<{ port: number; close(): Promise<void> }>);
    env?: Record<string, string>;
    /** Extra node flags for every Switchboard process (the benchmark's `--cpu-prof`). */
    nodeArgs?: string[];
  },
) {
  const stores = await isolatedStores(label);
  const how = { args: [...(o.nodeArgs ?? []), '--import', 'tsx', 'src/main.ts'], cwd: ROOT };
  const fake = await startFakeTwilio();
  const redis = o.privateRedis ? await startPrivateRedis() : undefined;
  const pgPort = Number(new URL(stores.databaseUrl).port || 5432);
  const pg = o.pgProxy === true ? await startTcpProxy(() => [pgPort]) : undefined;
  const pgOther = typeof o.pgProxy === 'function' ? await o.pgProxy(pgPort) : undefined;
  const databaseUrl =
    pg || pgOther
      ? (() => {
          const u = new URL(stores.databaseUrl);
          u.port = String((pg ?? pgOther)!.port);
          return u.toString();
        })()
      : stores.databaseUrl;
  // One journal folder for the installation's web processes (as on one host), its own per test file.
  const journalDir = join(tmpdir(), `sb-journal-${stores.redisPrefix.replace(/[^a-z0-9_]/gi, '_')}`);
  const env = switchboardEnv(
    { databaseUrl, redisUrl: redis?.url ?? TEST_REDIS_URL, redisPrefix: stores.redisPrefix, twilioApiUrl: fake.url },
    { WEBHOOK_JOURNAL_DIR: journalDir, ...o.env },
  );
  const procs: SbProcess[] = [];
  // The first web process migrates and seeds; the rest start together.
  const first = await startSwitchboardProcess('web-1', 'web', env, how);
  procs.push(first);
  const rest = await Promise.all([
    ...Array.from({ length: o.webs - 1 }, (_, i) => startSwitchboardProcess(`web-${i + 2}`, 'web', env, how)),
    ...Array.from({ length: o.workers }, (_, i) => startSwitchboardProcess(`worker-${i + 1}`, 'worker', env, how)),
  ]);
  procs.push(...rest);
  const webs = procs.filter((p) => p.role === 'web');
  const workers = procs.filter((p) => p.role === 'worker');
  const adminToken = await adminLogin(first.url);
  const bots: Bot[] = [];
  return {
    stores,
    fake,
    redis,
    pg,
    journalDir,
    /** Postgres URL as the test sees it (direct, never through the proxy). */
    databaseUrl: stores.databaseUrl,
    env,
    webs,
    workers,
    adminToken,
    bots,
    /** Bodies Twilio was asked to send. */
    sentBodies: () => fake.messages().map((m) => m.Body ?? ''),
    logsOf: (p: SbProcess) => p.logs.slice(-15).join('\n'),
    async stop() {
      // Tests start more processes into `webs` and `workers` (a replacement worker): those stop too.
      const all = [...new Set([...procs, ...webs, ...workers])];
      if (process.env.FAULT_DEBUG)
        for (const p of all) process.stderr.write(`---- ${p.name} (exit ${p.child.exitCode})\n${p.logs.slice(-40).join('\n')}\n`);
      for (const b of bots) b.close();
      for (const p of all) p.kill('SIGTERM');
      await Promise.race([Promise.all(all.map((p) => p.exited)), sleep(15_000)]);
      for (const p of all) p.kill('SIGKILL');
      await fake.close();
      await pg?.close();
      await pgOther?.close();
      await redis?.stop();
      await stores.drop();
      rmSync(journalDir, { recursive: true, force: true });
    },
  };
}

/**
 * Once no reply is left pending: every contact stored once, one conversation
 * each, all resolved, each accepted by exactly one agent, never two live offers
 * at a time, no reply sent twice. Returns the figures for test-specific checks.
 */
export async function expectNothingLostOrDoubled(sc: Scenario, contacts: Contact[], timeout = 40_000) {
  const inv = await eventually(
    async () => {
      const r = await checkInvariants(sc.databaseUrl, contacts, sc.sentBodies());
      if (r.stuckSends.pending) throw new Error(`pending sends: ${r.stuckSends.pending}`);
      return r;
    },
    { timeout, interval: 1000 },
  );
  const n = contacts.length;
  expect(inv).toMatchObject({
    storedContacts: n,
    contactsStoredTwice: 0,
    inboundStored: n,
    inboundStoredTwice: 0,
    conversations: n,
    contactsWithExtraConversations: 0,
    stillOpen: 0,
    conversationsNotAcceptedOnce: 0,
    overlappingOffers: 0,
    repliesSentTwice: 0,
  });
  return inv;
}

/**
 * The load every fault test runs under: four agent bots that accept, reply and
 * resolve, and 100 contacts texting in. Resolves once routing is visibly under
 * way (20 offers made); `offers()` keeps counting.
 */
export async function startLoad(
  sc: Scenario,
  opts: { agentsUrl: string; webhookUrl: string; concurrency?: number; gapMs?: number; retry?: boolean },
) {
  let offers = 0;
  sc.bots.push(...(await startBots(opts.agentsUrl, sc.adminToken, 4, { onOffer: () => (offers += 1) })));
  const contacts = makeContacts(100);
  const sending = sendContacts(opts.webhookUrl, contacts, opts.concurrency ?? 5, { gapMs: opts.gapMs, retry: opts.retry });
  await eventually(() => offers >= 20, { timeout: 30_000 });
  return { contacts, sending, offers: () => offers };
}
