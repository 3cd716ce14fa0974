/**
 * What the incident proposal check costs (src/core/incidents/propose-incidents.ts, run after
 * inbound texts, coalesced): a scratch database holds a full window of texts (replies to an SMS
 * appeal: as alike as real ones, some about a broken donation page), then, as in a surge, each
 * run stores a few more texts from new contacts and checks them. Prints per run and per text:
 * wall time, this process' CPU and the Postgres backend's CPU (read from /proc: same machine).
 * `npm run bench:incidents`; INCIDENT_BENCH_DB names the scratch database
 * (default `switchboard_bench_incidents`, emptied at each run); DATABASE_URL points at the server.
 */
import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { connectDb, ensureDatabase, migrateDb } from '../src/db/client.js';
import { conversations, queues, type ConversationRow } from '../src/db/schema.js';
import { DEFAULT_QUEUES } from '../src/core/conversations/types.js';
import { proposeOnInbound } from '../src/core/incidents/propose-incidents.js';
import type { Deps } from '../src/core/ports.js';

const server = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/switchboard');
server.pathname = `/${process.env.INCIDENT_BENCH_DB ?? 'switchboard_bench_incidents'}`;
const url = server.toString();
const WINDOW = 1000;
const RUNS = Number(process.env.INCIDENT_BENCH_RUNS ?? 60);

let seed = 11;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];

/** Replies to an appeal: a handful of things people say, each in several wordings. */
const REPLIES = [
  () => `Yes! Put me down for $${pick([10, 20, 25, 50, 100])}`,
  () => `I want to give ${pick(['$25', '$50', 'twenty dollars', 'monthly', 'again this year'])}`,
  () => pick(['How do I donate?', 'how can i donate', 'Where do I donate', 'Is there a link to donate?']),
  () => pick(['I need help with my donation', 'need help with my donation please', 'Help with my monthly donation']),
  () => pick(['Can I give monthly?', 'can i make it a monthly gift', 'Switch me to monthly please']),
  () => pick(['Is this legit?', 'who is this', 'How did you get my number?', 'is this a scam']),
  () => pick(['Already gave, thanks!', 'I donated last week', 'Gave online yesterday, did you get it?']),
  () => pick(['Please send my tax receipt', 'I never got a receipt for my gift', 'need a receipt for taxes']),
  () => pick(['Sí, quiero donar $20', '¿Cómo puedo donar?', 'Necesito ayuda con mi donación', 'Ya doné, gracias']),
  () => pick(['Not right now, sorry', 'Maybe next month', 'Can you call me instead?', 'Text me again on Friday']),
  // The incident nobody has declared yet: the donation page is down.
  () =>
    pick([
      'Your donation page gives me an error',
      "I tried to donate but the page won't load",
      'the donate page is down??',
      'Donation page shows error 500 when I hit give',
      'Page keeps erroring when I try to donate',
    ]),
];

async function main() {
  await ensureDatabase(url);
  await migrateDb(url);
  // One connection: its backend is the Postgres process whose CPU is read.
  const { db, close } = connectDb(url, { max: 1 });
  await db
    .insert(queues)
    .values(DEFAULT_QUEUES.map((q) => ({ ...q })))
    .onConflictDoNothing();
  await db.execute(sql`truncate contacts, conversations, messages, incidents cascade`);
  const [{ pid }] = (await db.execute(sql`select pg_backend_pid() as pid`)) as unknown as [{ pid: number }];

  async function store(n: number, minutesAgo: () => number): Promise<{ conversation: ConversationRow; messageId: string; text: string }[]> {
    const out = [];
    for (let i = 0; i < n; i++) {
      const text = pick(REPLIES)();
      const at = new Date(Date.now() - minutesAgo() * 60_000);
      const [row] = (await db.execute(sql`
        with k as (insert into contacts (name) values (null) returning id),
        c as (insert into conversations (contact_id, channel, queue_key, inbox_address, created_at)
              select id, 'sms', 'donor', '+15550000000', ${at.toISOString()}::timestamptz from k returning id),
        m as (insert into messages (conversation_id, channel, direction, body, created_at)
              select id, 'sms', 'inbound', ${text}, ${at.toISOString()}::timestamptz from c returning id, conversation_id)
        select m.id as message_id, m.conversation_id from m`)) as unknown as [{ message_id: string; conversation_id: string }];
      const [conversation] = await db
        .select()
        .from(conversations)
        .where(sql`${conversations.id} = ${row.conversation_id}`);
      out.push({ conversation, messageId: row.message_id, text });
    }
    return out;
  }

  await store(WINDOW, () => 1 + rnd() * 15);
  // The window stays as full as a surge's: the oldest texts leave as new ones come.
  const dropOldest = (n: number) =>
    db.execute(sql`delete from conversations where id in (select id from conversations order by created_at limit ${n})`);
  const published: unknown[] = [];
  const deps = {
    db,
    log: pino({ level: 'silent' }),
    realtime: { publish: (_to: string[], _event: string, payload: unknown) => published.push(payload) },
  } as unknown as Deps;

  const ticks = () => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, in ms (USER_HZ 100)
  };
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };

  console.log(`Incident proposal check: a window of ${WINDOW} texts, each run checks new texts from new contacts`);
  console.log(
    '| texts per run | wall ms per run | web CPU ms per run | postgres CPU ms per run | web CPU ms per text | postgres CPU ms per text |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|');
  for (const batch of [1, 5, 20]) {
    // Warm: the JIT, the statement's plan and the process' words of the window.
    for (let i = 0; i < 5; i++) {
      await proposeOnInbound(deps, await store(batch, () => 0));
      await dropOldest(batch);
    }
    let wall = 0;
    let web = 0;
    let pg = 0;
    for (let i = 0; i < RUNS; i++) {
      const stored = await store(batch, () => 0);
      const [w0, c0, p0] = [performance.now(), cpuMs(), ticks()];
      await proposeOnInbound(deps, stored);
      wall += performance.now() - w0;
      web += cpuMs() - c0;
      pg += ticks() - p0;
      await dropOldest(batch);
    }
    const f = (x: number, d = 2) => x.toFixed(d);
    console.log(
      `| ${batch} | ${f(wall / RUNS)} | ${f(web / RUNS)} | ${f(pg / RUNS, 1)} | ${f(web / RUNS / batch, 3)} | ${f(pg / RUNS / batch, 2)} |`,
    );
  }
  console.log(`(${published.length} proposals pushed; postgres CPU is read in 10 ms ticks, so it is coarse per run)`);
  await close();
}

await main();
