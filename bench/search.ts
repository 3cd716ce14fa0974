/**
 * How fast the desk's search box answers at volume: fills a scratch database with realistic
 * service-desk traffic (SEARCH_BENCH_MESSAGES messages, default 1 000 000, over one message in ten
 * conversations, English and Spanish), then times typical searches through the real `search()`
 * as an agent of two queues and as a supervisor. Prints p50/p95 per kind; `npm run bench:search`.
 * The database (SEARCH_BENCH_DB, default `switchboard_bench_search`) is kept between runs and
 * refilled only when its size differs; DATABASE_URL points at the server.
 */
import { sql } from 'drizzle-orm';
import { connectDb, ensureDatabase, migrateDb } from '../src/db/client.js';
import { search } from '../src/core/requests/search.js';
import type { Actor } from '../src/core/agents/actor.js';

const MESSAGES = Number(process.env.SEARCH_BENCH_MESSAGES ?? 1_000_000);
const RUNS = Number(process.env.SEARCH_BENCH_RUNS ?? 30);
const server = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/switchboard');
server.pathname = `/${process.env.SEARCH_BENCH_DB ?? 'switchboard_bench_search'}`;
const url = server.toString();

const EN = [
  'I made a donation last week and never got a receipt',
  'Can I change my monthly gift amount to twenty dollars',
  'The printer on the third floor is jammed again',
  'My laptop will not connect to the VPN from home',
  'I would like to volunteer at the food bank on Saturday',
  'Please cancel my recurring donation, I lost my job',
  'The store order arrived damaged, can I get a refund',
  'Our partner agreement renewal is due next month',
  'Password reset link expired before I could use it',
  'Where do I send the signed volunteer application form',
  'Thanks, that fixed it',
  'Could you call me back tomorrow morning',
];
const ES = [
  'Hice una donación y no he recibido el recibo',
  'Quiero cambiar el monto de mi donación mensual',
  'Me gustaría ser voluntario el sábado en el banco de alimentos',
  'El pedido de la tienda llegó dañado, quiero un reembolso',
  'No puedo entrar a mi cuenta, la contraseña no funciona',
  'Gracias por la ayuda',
];
const NAMES = ['Maria', 'James', 'Lucía', 'Ahmed', 'Chen', 'Olivia', 'Diego', 'Fatima', 'Noah', 'Sofía', 'Kwame', 'Ana'];
const SURNAMES = ['Garcia', 'Smith', 'Nguyen', 'Okafor', 'Rossi', 'Kim', 'Hernández', 'Brown', 'Cohen', 'Silva'];

async function fill(db: ReturnType<typeof connectDb>['db']) {
  const conversations = Math.max(1, Math.floor(MESSAGES / 10));
  const contacts = Math.max(1, Math.floor(conversations / 2));
  console.log(`filling: ${contacts} contacts, ${conversations} conversations, ${MESSAGES} messages…`);
  const t0 = performance.now();
  await db.execute(sql`truncate messages, conversations, contact_identities, contacts cascade`);
  await db.execute(
    sql`insert into queues (key, name) values ('donor','Donor'),('volunteer','Volunteer'),('it','IT'),('partner','Partner'),('crisis','Crisis') on conflict do nothing`,
  );
  const names = sql`${sql.raw(`array[${NAMES.map((n) => `'${n}'`).join(',')}]`)}`;
  const surnames = sql`${sql.raw(`array[${SURNAMES.map((n) => `'${n}'`).join(',')}]`)}`;
  await db.execute(sql`
    insert into contacts (id, name, created_at)
    select md5('c' || g)::uuid, (${names})[1 + g % ${NAMES.length}] || ' ' || (${surnames})[1 + (g / 7) % ${SURNAMES.length}] || ' ' || g,
      now() - (g || ' minutes')::interval
    from generate_series(1, ${contacts}::int) g`);
  await db.execute(sql`
    insert into contact_identities (contact_id, kind, value)
    select md5('c' || g)::uuid, case when g % 3 = 0 then 'email' else 'phone' end,
      case when g % 3 = 0 then 'person' || g || '@example.org' else '+1530' || lpad(g::text, 7, '0') end
    from generate_series(1, ${contacts}::int) g`);
  await db.execute(sql`
    insert into conversations (id, number, contact_id, channel, queue_key, status, inbox_address, thread_key, created_at, last_message_at)
    select md5('v' || g)::uuid, 999 + g, md5('c' || (1 + g % ${contacts}))::uuid,
      (array['sms','email','slack','sms'])[1 + g % 4], (array['donor','volunteer','it','partner','donor'])[1 + g % 5],
      case when g % 20 = 0 then 'assigned' else 'resolved' end, '+15005550006', 'bench:' || g,
      now() - ((${conversations} - g) * 30 || ' seconds')::interval, now() - ((${conversations} - g) * 30 || ' seconds')::interval
    from generate_series(1, ${conversations}::int) g`);
  const texts = sql`${sql.raw(`array[${[...EN, ...ES].map((t) => `'${t.replace(/'/g, "''")}'`).join(',')}]`)}`;
  const batch = 100_000;
  for (let from = 1; from <= MESSAGES; from += batch) {
    const to = Math.min(MESSAGES, from + batch - 1);
    await db.execute(sql`
      insert into messages (conversation_id, channel, direction, body, status, created_at)
      select md5('v' || (1 + (g - 1) / 10))::uuid, 'sms', case when g % 2 = 0 then 'inbound' else 'outbound' end,
        (${texts})[1 + (g::bigint * 7919) % ${EN.length + ES.length}] || ' (ref ' || g || ')', 'received',
        now() - ((${MESSAGES} - g) * 3 || ' seconds')::interval
      from generate_series(${from}::int, ${to}::int) g`);
    process.stdout.write(`  ${to} messages\r`);
  }
  await db.execute(sql`analyze`);
  console.log(`filled in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function main() {
  await ensureDatabase(url);
  await migrateDb(url);
  const { db, close } = connectDb(url, { max: 4 });
  const [{ n }] = (await db.execute(sql`select count(*)::int as n from messages`)) as unknown as [{ n: number }];
  if (n !== MESSAGES) await fill(db);
  else console.log(`reusing ${n} messages in ${server.pathname.slice(1)}`);

  const agent: Actor = { id: '00000000-0000-4000-8000-000000000001', role: 'agent', queues: ['donor', 'volunteer'] };
  const supervisor: Actor = { id: '00000000-0000-4000-8000-000000000002', role: 'supervisor', queues: [] };
  const total = Math.floor(MESSAGES / 10);
  const kinds: [string, (i: number) => string][] = [
    ['common words ("donation receipt")', () => 'donation receipt'],
    ['rarer words ("printer jammed")', () => 'printer jammed'],
    ['Spanish stem ("reembolsos")', () => 'reembolsos'],
    ['no match ("zeppelin")', () => 'zeppelin'],
    ['#reference', (i) => `#${1000 + ((i * 7919) % total)}`],
    ['contact name fragment', (i) => `${SURNAMES[i % SURNAMES.length]} ${100 + i}`],
    ['phone fragment', (i) => `530${String(1000 + i * 13).padStart(4, '0')}`],
  ];
  console.log(`\nsearch over ${MESSAGES.toLocaleString('en')} messages, ${RUNS} runs each (ms):`);
  console.log('kind'.padEnd(38), 'agent p50', 'p95', '  supervisor p50', 'p95');
  for (const [label, q] of kinds) {
    const row: string[] = [];
    for (const actor of [agent, supervisor]) {
      await search(db, actor, { q: q(0), limit: 20 }); // warm
      const times: number[] = [];
      for (let i = 1; i <= RUNS; i++) {
        const t = performance.now();
        await search(db, actor, { q: q(i), limit: 20 });
        times.push(performance.now() - t);
      }
      row.push(pct(times, 50).toFixed(1).padStart(8), pct(times, 95).toFixed(1).padStart(7));
    }
    console.log(label.padEnd(38), row[0], row[1], '      ', row[2], row[3]);
  }
  await close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
