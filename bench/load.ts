/**
 * `npm run bench`: a load benchmark that prints figures (it asserts nothing).
 *
 * The scenario is issue #15's: BENCH_CONTACTS signed SMS webhooks (one text each from a new
 * number) from BENCH_CONCURRENCY concurrent senders, BENCH_AGENTS available agents **with room
 * for every text** (SMS capacity ceil(contacts / agents), at most the API's 100). Each agent
 * accepts every offer it gets, as an agent does, and keeps the conversation: no resolve within
 * the measured window, so no CSAT survey text either, and the figure is inbound → offer, the
 * same work the floor does. `BENCH_RESOLVE=1` brings back the older, heavier scenario: 20 SMS
 * slots per agent, each offer accepted *and resolved* (every resolve frees a slot and sends a
 * survey text), so Switchboard's figure also carries the accept/resolve/survey work.
 *
 *  0. `floor` (bench/floor-server.ts): the same webhooks into a minimal web + worker pair that
 *     only parses, verifies, inserts, enqueues and pushes. Every Switchboard phase is printed as
 *     a share of the floor's texts/s and a multiple of its webhook → push p50, same run.
 *  1. `one`: 1 web + 1 worker process: texts/s sustained (first webhook → last offer),
 *     p50/p95/p99 from the webhook being sent to `reservation.created` on the agent's socket,
 *     webhook answer times, peak memory and CPU ms per text per process.
 *  2. `one2`: 1 web + 2 worker processes (issue #15: 2 workers must route at least as fast as 1).
 *  3. `two`: 2 web + 2 worker processes behind a round-robin TCP proxy.
 *  4. `sockets`: BENCH_SOCKETS idle agent sockets on one web process: memory per socket, and
 *     fan-out latency of an event published from another process through Redis.
 *  A summary table closes the run, with the load average at the end of each phase: on a shared
 *  2-core box texts/s move with what other tenants leave; CPU ms per text per process does not.
 *
 *  P. `BENCH_PROFILE=<dir>`: the 1 + 1 run is measured instead of timed — its processes write
 *     V8 CPU profiles into <dir> (summarised by bench/cpu-top.ts), Postgres is reached through a
 *     proxy that counts statements by text (bench/pg-statement-counter.ts) and Redis is a
 *     private redis-server whose `INFO commandstats` is read before and after. Figures are per
 *     text; the profiling itself slows the run, so its texts/s mean nothing.
 *
 * Loopback only, bounded in count and time. Uses the local Postgres and Redis
 * (TEST_PG_URL / TEST_REDIS_URL) with a throwaway database and key prefix.
 * Knobs: BENCH_CONTACTS (2000), BENCH_CONCURRENCY (10), BENCH_AGENTS (20), BENCH_RESOLVE (unset),
 * BENCH_ACCEPT (`0`: offers stay pending, so only the webhook → offer path runs),
 * BENCH_SOCKETS (5000), BENCH_PHASES (floor,one,one2,two,sockets; the floor runs first and the
 * sockets phase last, the others in the order listed, reversed in even rounds). `BENCH_KEEP=1` leaves the
 * `one` phase's database in place (its name is printed) for `EXPLAIN` and `pg_stat_statements`
 * on realistic rows; drop it by hand afterwards. `BENCH_ROUNDS=n` runs the floor and the load
 * phases n times in turn and closes with each phase's median share of its own round's floor:
 * the box's speed drifts between minutes, so one round's ratio is a sample, not the figure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { io as ioClient, type Socket } from 'socket.io-client';
import { socketIoKey } from '../src/realtime/publisher.js';
import { freePort, isolatedStores, PG_ADMIN_URL, PUBLIC_URL, TEST_REDIS_URL, TWILIO_AUTH_TOKEN } from '../test/helpers/harness.js';
import {
  makeContacts,
  ROOT,
  sendContacts,
  sleep,
  startBots,
  startScenario,
  startTcpProxy,
  type SbProcess,
  type Scenario,
} from '../test/fault/cluster.js';
import { summarise } from './cpu-top.js';
import { PARSES, startStatementCounter, type StatementCounts } from './pg-statement-counter.js';

const num = (name: string, def: number, max: number) => Math.min(max, Math.max(1, Number(process.env[name] ?? def) || def));
const CONTACTS = num('BENCH_CONTACTS', 2000, 20_000);
const CONCURRENCY = num('BENCH_CONCURRENCY', 10, 200);
const PHASES = new Set((process.env.BENCH_PHASES ?? 'floor,one,one2,two,sockets').split(','));
const AGENTS = num('BENCH_AGENTS', 20, 100);
/** The older scenario: agents accept and resolve every offer (each resolve sends a survey text). */
const RESOLVE = process.env.BENCH_RESOLVE === '1';
/**
 * `BENCH_ACCEPT=0`: the agents leave every offer pending (it lapses only after the phase), so the
 * run measures the webhook → offer path alone, the floor's own shape, without the agents' accepts.
 */
const ACCEPT = RESOLVE || process.env.BENCH_ACCEPT !== '0';
const WHAT_AGENTS_DO = RESOLVE ? 'accepting and resolving every offer' : ACCEPT ? 'accepting every offer' : 'leaving every offer pending';
/** The API's upper bound on an agent's capacity per channel (ZCapacity). */
const MAX_CAPACITY = 100;
/** Room for every text, unless BENCH_RESOLVE recycles slots. */
const CAPACITY = RESOLVE ? 20 : Math.min(MAX_CAPACITY, Math.ceil(CONTACTS / AGENTS));
const SOCKETS = num('BENCH_SOCKETS', 5000, 10_000);
const KEEP = process.env.BENCH_KEEP === '1';
/** Floor and load phases run this many times, alternating, and the run ends with their medians. */
const ROUNDS = num('BENCH_ROUNDS', 1, 20);
const PROFILE_DIR = process.env.BENCH_PROFILE ? resolve(process.env.BENCH_PROFILE) : undefined;
/** Offers must not lapse because the box is busy: this measures routing, not timeouts. */
const ENV = { RESERVATION_TIMEOUT_SECONDS: '60', RECONCILE_INTERVAL_SECONDS: '5' };

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');
const log = (s: string) => process.stdout.write(s + '\n');

/** CPU seconds (user + system) a process has used so far, from /proc (NaN once it is gone). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU seconds the Postgres backends serving `database` have used so far (its connections stay open for a phase). */
function postgresSeconds(database: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.startsWith('postgres: ') && cmd.split(' ').includes(database)) total += cpuSeconds(Number(pid)) || 0;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** The pid of the redis-server behind `url` (a local one: its /proc entry is read like ours). */
async function redisPid(url: string): Promise<number | undefined> {
  const redis = new Redis(url, { lazyConnect: true });
  try {
    await redis.connect();
    return Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]) || undefined;
  } finally {
    redis.disconnect();
  }
}

/**
 * CPU milliseconds per text each process spent during a phase: on a shared box this is the
 * figure that does not depend on how much CPU the other tenants left us. Besides our processes,
 * Redis (the whole server: nothing else should use it during a run), the Postgres backends of
 * the phase's database and this benchmark's own clients (the senders and every agent's socket):
 * on two cores they all share one budget.
 */
async function cpuPerText(procs: { name: string; pid: number | undefined }[], databaseUrl: string, redisUrl: string) {
  const database = new URL(databaseUrl).pathname.slice(1);
  const redis = await redisPid(redisUrl);
  const meters: { name: string; read: () => number }[] = [
    ...procs.map((p) => ({ name: p.name, read: () => cpuSeconds(p.pid) })),
    { name: 'redis', read: () => cpuSeconds(redis) },
    { name: 'postgres', read: () => postgresSeconds(database) },
    { name: 'clients', read: () => ((u) => (u.user + u.system) / 1e6)(process.cpuUsage()) },
  ];
  const start = meters.map((m) => m.read());
  return (texts: number) =>
    meters.map((m, i) => `${m.name} ${fmt(((m.read() - start[i]) * 1000) / texts, 1)}`).join(', ') + ' ms CPU per text';
}

/** Samples each process' RSS while a phase runs; reports the peak. */
function sampleMemory(procs: SbProcess[]) {
  const peak = new Map<string, number>();
  const tick = () => {
    for (const p of procs) {
      const mb = p.rssMb();
      if (Number.isFinite(mb)) peak.set(p.name, Math.max(peak.get(p.name) ?? 0, mb));
    }
  };
  tick();
  const t = setInterval(tick, 250);
  return () => {
    clearInterval(t);
    tick();
    return procs.map((p) => `${p.name} ${fmt(peak.get(p.name) ?? NaN)} MB`).join(', ');
  };
}

async function loadPhase(title: string, sc: Scenario, webhookUrl: string, agentsUrl: string) {
  const contacts = makeContacts(CONTACTS);
  const offeredAt = new Map<string, number>();
  let lastOfferAt = 0;
  sc.bots.push(
    ...(await startBots(agentsUrl, sc.adminToken, AGENTS, {
      reply: false,
      resolve: RESOLVE,
      accept: ACCEPT,
      // Room for every text: this measures the system, not the staffing.
      capacity: CAPACITY,
      onOffer: (p, at) => {
        const phone = p.contact?.address as string | undefined;
        if (!phone || offeredAt.has(phone)) return;
        offeredAt.set(phone, at);
        lastOfferAt = at;
      },
    })),
  );

  const mem = sampleMemory([...sc.webs, ...sc.workers]);
  const cpu = await cpuPerText([...sc.webs, ...sc.workers], sc.env.DATABASE_URL, sc.env.REDIS_URL);
  const start = Date.now();
  await sendContacts(webhookUrl, contacts, CONCURRENCY);
  const sendDone = Date.now();
  const deadline = Date.now() + 120_000;
  while (offeredAt.size < CONTACTS && Date.now() < deadline) await sleep(200);
  // From the first attempt at the webhook (as Twilio sends it) to the offer on the agent's socket.
  const latencies = contacts.flatMap((c) => (c.sentAt !== undefined && offeredAt.has(c.phone) ? [offeredAt.get(c.phone)! - c.sentAt] : []));
  const memory = mem();
  const failed = contacts.filter((c) => c.statuses.at(-1) !== 200).length;
  const elapsed = ((lastOfferAt || Date.now()) - start) / 1000;
  log(`\n## ${title}`);
  log(`contacts: ${CONTACTS} at concurrency ${CONCURRENCY}, ${AGENTS} agents (${CAPACITY} SMS slots each) ${WHAT_AGENTS_DO}`);
  const answered = contacts.flatMap((c) => (c.webhookMs === undefined ? [] : [c.webhookMs]));
  log(
    `webhooks accepted: ${fmt(CONTACTS / ((sendDone - start) / 1000), 1)}/s (${failed} not answered 200); answered in p50 ${fmt(pct(answered, 50))} ms, p99 ${fmt(pct(answered, 99))} ms`,
  );
  log(
    `contacts/s sustained (first webhook → last offer): ${fmt(latencies.length / elapsed, 1)}  (${latencies.length}/${CONTACTS} offered in ${fmt(elapsed, 1)} s)`,
  );
  log(
    `webhook → reservation.created: p50 ${fmt(pct(latencies, 50))} ms, p95 ${fmt(pct(latencies, 95))} ms, p99 ${fmt(pct(latencies, 99))} ms, max ${fmt(pct(latencies, 100))} ms`,
  );
  log(`memory (peak RSS): ${memory}`);
  const cpuLine = cpu(CONTACTS);
  const load = loadavg()[0];
  log(`cpu: ${cpuLine} (load average now ${load.toFixed(1)})`);
  return { perSecond: latencies.length / elapsed, p50: pct(latencies, 50), webhookP99: pct(answered, 99), cpu: cpuLine, load };
}

type Figures = { perSecond: number; p50: number; webhookP99: number; cpu: string; load: number };

/** Starts one floor process and waits for it to say so. */
async function startFloorProcess(role: 'web' | 'worker', env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/floor-server.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env, ROLE: role },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('floor started') && resolve());
    child.once('exit', (code) => reject(new Error(`floor ${role} exited (${code})`)));
  });
  return child;
}

/** Phase 0: the same webhooks, concurrency and socket count against the minimal stack. */
async function floorPhase(): Promise<Figures> {
  const stores = await isolatedStores('floor');
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${new URL(stores.databaseUrl).pathname.slice(1)}"`);
  await admin.end();
  const port = await freePort();
  const env = {
    PORT: String(port),
    DATABASE_URL: stores.databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    PREFIX: stores.redisPrefix,
    TWILIO_AUTH_TOKEN,
    PUBLIC_URL,
  };
  const procs = [await startFloorProcess('web', env), await startFloorProcess('worker', env)];
  const url = `http://127.0.0.1:${port}`;
  const contacts = makeContacts(CONTACTS);
  const offeredAt = new Map<string, number>();
  let lastOfferAt = 0;
  const sockets = await Promise.all(
    Array.from({ length: AGENTS }, (_, i) => {
      const s = ioClient(url, { transports: ['websocket'], reconnection: false, forceNew: true });
      // Every agent hears every push; the first to hear it counts, as with an offer.
      if (i === 0)
        s.on('reservation.created', (p: { contact: { address: string } }) => {
          if (!offeredAt.has(p.contact.address)) offeredAt.set(p.contact.address, (lastOfferAt = Date.now()));
        });
      return new Promise<Socket>((resolve, reject) => {
        s.once('connect', () => resolve(s));
        s.once('connect_error', reject);
      });
    }),
  );
  try {
    const cpu = await cpuPerText(
      procs.map((p, i) => ({ name: i === 0 ? 'web' : 'worker', pid: p.pid })),
      stores.databaseUrl,
      TEST_REDIS_URL,
    );
    const start = Date.now();
    await sendContacts(url, contacts, CONCURRENCY);
    const deadline = Date.now() + 60_000;
    while (offeredAt.size < CONTACTS && Date.now() < deadline) await sleep(100);
    const latencies = contacts.flatMap((c) =>
      c.sentAt !== undefined && offeredAt.has(c.phone) ? [offeredAt.get(c.phone)! - c.sentAt] : [],
    );
    const elapsed = ((lastOfferAt || Date.now()) - start) / 1000;
    log(`\n## floor: minimal web + worker (parse, verify, one insert, one BullMQ job, one Socket.IO push)`);
    log(
      `texts/s (first webhook → last push): ${fmt(latencies.length / elapsed, 1)}  (${latencies.length}/${CONTACTS} in ${fmt(elapsed, 1)} s)`,
    );
    const answered = contacts.flatMap((c) => (c.webhookMs === undefined ? [] : [c.webhookMs]));
    log(`webhooks answered in p50 ${fmt(pct(answered, 50))} ms, p99 ${fmt(pct(answered, 99))} ms`);
    log(`webhook → push: p50 ${fmt(pct(latencies, 50))} ms, p95 ${fmt(pct(latencies, 95))} ms, p99 ${fmt(pct(latencies, 99))} ms`);
    const cpuLine = cpu(CONTACTS);
    const load = loadavg()[0];
    log(`cpu: ${cpuLine} (load average now ${load.toFixed(1)})`);
    return { perSecond: latencies.length / elapsed, p50: pct(latencies, 50), webhookP99: pct(answered, 99), cpu: cpuLine, load };
  } finally {
    for (const s of sockets) s.close();
    for (const p of procs) p.kill('SIGKILL');
    await stores.drop();
  }
}

let results: { title: string; figures: Figures }[] = [];
/** Every round's floor and phases (BENCH_ROUNDS), for the medians at the end. */
const rounds: { floor: Figures | undefined; results: typeof results }[] = [];

/** The middle value, or the mean of the middle two (pct's nearest rank would take the lower one). */
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * The box's speed drifts by ±30 % from one minute to the next (other tenants), so one round's
 * ratio to its floor can land anywhere in a wide band: the medians over alternating rounds are
 * the figures to compare with issue #15's goal.
 */
function roundsSummary() {
  const floors = rounds.flatMap((r) => (r.floor ? [r.floor] : []));
  log(`\n## Medians over ${rounds.length} rounds (each phase against its own round's floor)`);
  if (floors.length)
    log(`floor: ${fmt(median(floors.map((f) => f.perSecond)), 1)} texts/s, p50 ${fmt(median(floors.map((f) => f.p50)))} ms`);
  log('| phase | texts/s | % of floor, per round | median % | × floor p50, per round | median × | webhook p99 ms, median |');
  log('|---|---:|---|---:|---|---:|---:|');
  for (const title of new Set(rounds.flatMap((r) => r.results.map((x) => x.title)))) {
    const paired = rounds.flatMap((r) => r.results.filter((x) => x.title === title).map((x) => ({ f: x.figures, floor: r.floor })));
    const shares = paired.flatMap((p) => (p.floor ? [(100 * p.f.perSecond) / p.floor.perSecond] : []));
    const times = paired.flatMap((p) => (p.floor ? [p.f.p50 / p.floor.p50] : []));
    log(
      `| ${title} | ${fmt(median(paired.map((p) => p.f.perSecond)), 1)} | ${shares.map((x) => fmt(x)).join(', ') || '-'} | ${shares.length ? fmt(median(shares)) : '-'} | ${times.map((x) => fmt(x, 1)).join(', ') || '-'} | ${times.length ? fmt(median(times), 1) : '-'} | ${fmt(median(paired.map((p) => p.f.webhookP99)))} |`,
    );
  }
  // Issue #15: 2 workers route at least as fast as 1, read within each round.
  const perRound = (phase: string) => rounds.map((r) => r.results.find((x) => x.title === phase)?.figures.perSecond ?? NaN);
  const one = perRound('1 web + 1 worker');
  const two = perRound('1 web + 2 workers');
  const ratios = one.flatMap((x, i) => (Number.isFinite(x) && Number.isFinite(two[i]) ? [(100 * two[i]) / x] : []));
  if (ratios.length) log(`1 + 2 against 1 + 1, per round: ${ratios.map((x) => fmt(x)).join(', ')} % (median ${fmt(median(ratios))} %)`);
}

function compare(title: string, sb: Figures, floor: Figures | undefined) {
  results.push({ title, figures: sb });
  if (!floor) return;
  log(
    `${title} against the floor: ${fmt((100 * sb.perSecond) / floor.perSecond)} % of its texts/s, webhook → offer p50 ${fmt(sb.p50 / floor.p50, 1)}× its p50`,
  );
}

/** One table for the run: each phase, its share of the floor, and the load it ran under. */
function summary(floor: Figures | undefined) {
  if (results.length === 0) return;
  log(`\n## Summary (${CONTACTS} texts, concurrency ${CONCURRENCY}, ${AGENTS} agents ${WHAT_AGENTS_DO})`);
  log('| phase | texts/s | % of floor | webhook → offer p50 ms | × floor p50 | webhook p99 ms | CPU ms per text | load average |');
  log('|---|---:|---:|---:|---:|---:|---|---:|');
  const row = (title: string, f: Figures, ratio: boolean) =>
    log(
      `| ${title} | ${fmt(f.perSecond, 1)} | ${ratio && floor ? fmt((100 * f.perSecond) / floor.perSecond) : '-'} | ${fmt(f.p50)} | ${ratio && floor ? fmt(f.p50 / floor.p50, 1) : '-'} | ${fmt(f.webhookP99)} | ${f.cpu.replace(' ms CPU per text', '')} | ${f.load.toFixed(1)} |`,
    );
  if (floor) row('floor', floor, false);
  for (const r of results) row(r.title, r.figures, true);
}

async function idleSocketsPhase(sc: Scenario) {
  const web = sc.webs[0];
  await sleep(1000);
  const before = web.rssMb();
  const sockets: Socket[] = [];
  const received: number[][] = [];
  const t0 = Date.now();
  const BATCH = 250;
  for (let i = 0; i < SOCKETS; i += BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(BATCH, SOCKETS - i) }, () => {
        const s = ioClient(web.url, {
          path: '/socket.io',
          auth: { token: sc.adminToken },
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
        });
        sockets.push(s);
        s.on('bench.ping', (p: { n: number; at: number }) => (received[p.n] ??= []).push(Date.now() - p.at));
        return new Promise<void>((resolve, reject) => {
          s.once('connect', () => resolve());
          s.once('connect_error', reject);
        });
      }),
    );
  }
  const connectSeconds = (Date.now() - t0) / 1000;
  await sleep(2000);
  const after = web.rssMb();

  // Publish from outside the web process, the way a worker does (Redis emitter → adapter → sockets).
  const redis = new Redis(sc.env.REDIS_URL);
  const emitter = new Emitter(redis, { key: socketIoKey(sc.env.REDIS_PREFIX) });
  const PINGS = 5;
  for (let n = 0; n < PINGS; n++) {
    emitter.to('supervisors').emit('bench.ping', { n, at: Date.now() });
    const until = Date.now() + 10_000;
    while ((received[n]?.length ?? 0) < SOCKETS && Date.now() < until) await sleep(20);
    await sleep(300);
  }
  const all = received.flat();
  const complete = received.map((r) => Math.max(...(r ?? [NaN])));
  log(`\n## ${SOCKETS} idle agent sockets on one web process`);
  log(
    `connected in ${fmt(connectSeconds, 1)} s; web RSS ${fmt(before)} → ${fmt(after)} MB: ${fmt(((after - before) * 1024) / SOCKETS, 1)} KB per socket`,
  );
  log(
    `fan-out of one event to all sockets (${PINGS} events, ${all.length}/${PINGS * SOCKETS} deliveries): p50 ${fmt(pct(all, 50))} ms, p99 ${fmt(pct(all, 99))} ms; last socket reached after ${complete.map((x) => fmt(x)).join(' / ')} ms`,
  );
  for (const s of sockets) s.close();
  redis.disconnect();
}

/** Redis commands by name from `INFO commandstats` (`cmdstat_evalsha:calls=12,…`). */
async function commandStats(url: string): Promise<Map<string, number>> {
  const r = new Redis(url);
  try {
    const info = await r.info('commandstats');
    return new Map([...info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)].map((m) => [m[1], Number(m[2])]));
  } finally {
    r.disconnect();
  }
}

/** Phase P: where a text's cost goes (statements, Redis commands, CPU by function) in a 1 + 1 run. */
async function profilePhase(dir: string) {
  mkdirSync(dir, { recursive: true });
  let counts: StatementCounts = new Map();
  const names = new Map<string, string>();
  const sc = (current = await startScenario('benchp', {
    webs: 1,
    workers: 1,
    privateRedis: true,
    pgProxy: async (port) => {
      const counter = await startStatementCounter(port);
      counts = counter.counts;
      return counter;
    },
    env: ENV,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
  }));
  for (const p of [...sc.webs, ...sc.workers]) names.set(String(p.pid), p.name);
  const before = new Set(readdirSync(dir, { withFileTypes: true }).map((d) => d.name));
  try {
    await sleep(1000);
    const redisBefore = await commandStats(sc.env.REDIS_URL);
    counts.clear();
    await loadPhase('1 web + 1 worker process, profiled', sc, sc.webs[0].url, sc.webs[0].url);
    const parses = counts.get(PARSES) ?? 0;
    counts.delete(PARSES);
    const statements = [...counts].sort((a, b) => b[1] - a[1]);
    const redisAfter = await commandStats(sc.env.REDIS_URL);
    const total = statements.reduce((n, [, c]) => n + c, 0);
    log(`\n## Postgres statements: ${fmt(total / CONTACTS, 1)} per text (${total} for ${CONTACTS} texts, bench agents included)`);
    log(`Parse messages (a statement prepared on its connection, one more round trip): ${fmt(parses / CONTACTS, 2)} per text`);
    for (const [text, c] of statements.slice(0, 40)) log(`${fmt(c / CONTACTS, 2).padStart(6)}  ${text.replace(/\s+/g, ' ').slice(0, 220)}`);
    const redis = [...redisAfter].map(([k, v]) => [k, v - (redisBefore.get(k) ?? 0)] as const).filter(([, v]) => v > 0);
    redis.sort((a, b) => b[1] - a[1]);
    const redisTotal = redis.reduce((n, [, c]) => n + c, 0);
    log(`\n## Redis commands: ${fmt(redisTotal / CONTACTS, 1)} per text`);
    for (const [k, c] of redis.slice(0, 20)) log(`${fmt(c / CONTACTS, 2).padStart(6)}  ${k}`);
  } finally {
    await sc.stop();
  }
  await sleep(500);
  const profiles = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
  log(`\n## CPU profiles (${dir})`);
  for (const f of profiles) log(`### ${names.get(f.split('.')[3]) ?? 'other process'}\n` + summarise(join(dir, f), 25) + '\n');
}

/** The scenario's stop leaves its database (Redis keys still go): the rows a surge leaves, to examine. */
function keepDatabase(sc: Scenario) {
  const database = new URL(sc.databaseUrl).pathname.slice(1);
  sc.stores.drop = async () => {
    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`${sc.stores.redisPrefix}*`);
    if (keys.length) await redis.unlink(...keys);
    redis.disconnect();
    log(`kept database ${database} (BENCH_KEEP): drop it when done`);
  };
}

/** The installation running now, stopped on Ctrl-C so no process outlives the benchmark. */
let current: Scenario | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

async function main() {
  log(`Switchboard load benchmark (loopback; ${new Date().toISOString()}; ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)})`);
  if (!RESOLVE && AGENTS * CAPACITY < CONTACTS)
    log(
      `note: ${AGENTS} agents × ${CAPACITY} slots < ${CONTACTS} texts: the last ones wait for a slot that never frees (raise BENCH_AGENTS)`,
    );
  if (PROFILE_DIR) return profilePhase(PROFILE_DIR);
  for (let round = 1; round <= ROUNDS; round++) {
    if (ROUNDS > 1) log(`\n# Round ${round} of ${ROUNDS}`);
    await loadRound(round);
  }
  if (ROUNDS > 1) roundsSummary();
  if (PHASES.has('sockets')) {
    const sc = (current = await startScenario('bench3', { webs: 1, workers: 1, env: ENV }));
    try {
      await idleSocketsPhase(sc);
    } finally {
      await sc.stop();
    }
  }
}

/** The floor, then each load phase against it, then the round's table. */
async function loadRound(round: number) {
  results = [];
  const floor = PHASES.has('floor') ? await floorPhase() : undefined;
  // A phase pays for the one before it (its WAL to checkpoint, its database to drop): odd rounds
  // run the order BENCH_PHASES lists, even rounds the reverse, so over rounds no phase always
  // follows another (1 + 2 always after 1 + 1 had cost it more web and Postgres CPU per text).
  const loadPhases: Record<string, () => Promise<void>> = {
    one: () =>
      scenarioPhase('bench1', { webs: 1, workers: 1 }, '1 web + 1 worker', '1 web + 1 worker process', floor, (sc) => {
        if (KEEP) keepDatabase(sc);
      }),
    one2: () => scenarioPhase('bench12', { webs: 1, workers: 2 }, '1 web + 2 workers', '1 web + 2 worker processes', floor),
    two: () =>
      scenarioPhase(
        'bench2',
        { webs: 2, workers: 2 },
        '2 web + 2 worker',
        '2 web + 2 worker processes (round-robin TCP proxy in front)',
        floor,
      ),
  };
  const listed = [...PHASES].filter((name) => name in loadPhases);
  for (const name of round % 2 ? listed : listed.reverse()) await loadPhases[name]();
  summary(floor);
  rounds.push({ floor, results });
}

/** One load phase on a fresh installation; two web processes are reached through a round-robin TCP proxy. */
async function scenarioPhase(
  label: string,
  size: { webs: number; workers: number },
  title: string,
  heading: string,
  floor: Figures | undefined,
  before?: (sc: Scenario) => void,
) {
  const sc = (current = await startScenario(label, { ...size, env: ENV }));
  before?.(sc);
  const lb = size.webs > 1 ? await startTcpProxy(() => sc.webs.map((w) => w.port)) : undefined;
  const url = lb?.url ?? sc.webs[0].url;
  try {
    compare(title, await loadPhase(heading, sc, url, url), floor);
  } finally {
    await lb?.close();
    await sc.stop();
  }
}

main().then(
  () => process.exit(0),
  async (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    // No Switchboard process outlives a failed run (they would load the box for the next one).
    await current?.stop().catch(() => {});
    process.exit(1);
  },
);
