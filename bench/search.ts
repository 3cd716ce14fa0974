/**
 * How fast the desk's search box answers at volume: fills a scratch database with realistic
 * service-desk traffic (SEARCH_BENCH_MESSAGES messages, default 1 000 000, ten per conversation,
 * varied English and Spanish text; see the vocabulary below), then times typical searches through the real `search()`
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
// _v2: the varied-text generator (a database filled by the first, 18-sentence one is not reused).
server.pathname = `/${process.env.SEARCH_BENCH_DB ?? 'switchboard_bench_search_v2'}`;
const url = server.toString();

/**
 * Realistic text, not 18 sentences repeated: each message is built from a vocabulary of ~400
 * service-desk and everyday words drawn with a Zipf-like skew (a few words are common, most are
 * rare, as in real mail), 3 to 60+ words long (one in ten is a long email), a quarter in Spanish,
 * and one in four opens with one of the typical requests below (so the searched phrases exist).
 */
const EN_REQUESTS = [
  'I made a donation last week and never got a receipt',
  'Can I change my monthly gift amount',
  'The printer on the third floor is jammed again',
  'My laptop will not connect to the VPN from home',
  'I would like to volunteer at the food bank on Saturday',
  'Please cancel my recurring donation',
  'The store order arrived damaged, can I get a refund',
  'Our partner agreement renewal is due next month',
  'Password reset link expired before I could use it',
  'Where do I send the signed volunteer application form',
];
const ES_REQUESTS = [
  'Hice una donación y no he recibido el recibo',
  'Quiero cambiar el monto de mi donación mensual',
  'Me gustaría ser voluntario el sábado en el banco de alimentos',
  'El pedido de la tienda llegó dañado, quiero un reembolso',
  'No puedo entrar a mi cuenta, la contraseña no funciona',
];
/** Most frequent first: the skewed draw picks early words far more often. */
const EN_WORDS = `the to and a of I you it is for my in on that this we have can with be not your please
thanks was but do will are just if at me so our get from would could when there know about what still
help need time again today one all out up any email account order gift week team call back next
message number card payment monthly donation receipt volunteer shift store refund password login
laptop printer phone office address name form event schedule update question problem issue working
access request meeting partner contract invoice tax letter bank transfer amount dollars change cancel
new old sent received missing wrong error screen browser app download install upload file folder share
drive calendar invite link reset code verify confirm delivery package tracking shipping return exchange
size color shirt mug book ticket raffle auction dinner gala sponsor grant report board member newsletter
unsubscribe mailing list training orientation background check badge parking building floor room key
door kitchen food pantry warehouse truck driver route pickup dropoff donation center weekend morning
afternoon evening monday tuesday wednesday thursday friday saturday sunday january february march april
may june july august september october november december year last first second third hours minutes
soon later yesterday tomorrow urgent quick small big broken slow fast fine great sorry hello hi dear
regards best kind sincerely appreciate understand explain tried restarted cleared cache updated version
windows mac iphone android wifi network vpn server outage down offline online backup restore license
software hardware monitor keyboard mouse headset camera microphone zoom teams slack channel thread
volunteers donors partners endorsers staff manager coordinator director supervisor agent desk support
matching employer corporate recurring annual pledge campaign appeal statement acknowledgement
certificate deductible itemized duplicate charged twice refunded pending processed declined expired
vehicle car furniture clothing electronics appliances mattress sofa pickup schedule truck estimate
store hours location open closed holiday inventory price discount coupon gift card balance online shop
hr payroll benefits vacation leave sick policy handbook onboarding offboarding timesheet overtime
application reference interview hired role position remote hybrid contractor intern stipend`.split(/\s+/);
const ES_WORDS = `de la que el en y a los se del las un por con no una su para es al lo como más pero sus le ya o
este sí porque esta entre cuando muy sin sobre también me hasta hay donde quien desde todo nos durante
todos uno les ni contra otros ese eso ante ellos e esto mí antes algunos qué unos yo otro otras otra él
tanto esa estos mucho quienes nada muchos cual poco ella estar estas algunas algo nosotros gracias hola
ayuda donación recibo cuenta contraseña pedido tienda reembolso voluntario voluntaria sábado domingo lunes
martes miércoles jueves viernes mañana tarde noche semana mes año dinero pago tarjeta banco correo
teléfono dirección nombre formulario evento horario cambio cancelar nuevo enviado recibido falta error
pantalla computadora impresora red internet contraseña acceso solicitud reunión socio contrato factura
impuestos carta transferencia monto dólares mensual anual campaña comida despensa almacén camión ropa
muebles recogida entrega paquete envío devolución talla color libro boleto cena patrocinador informe
problema funciona roto lento rápido urgente pronto después ayer hoy llamar llamada mensaje número
equipo personal gerente coordinador director supervisor agente soporte beneficios vacaciones permiso`.split(/\s+/);

const NAMES = `Maria James Lucía Ahmed Chen Olivia Diego Fatima Noah Sofía Kwame Ana John Mary Robert Patricia Michael
Linda David Barbara William Elizabeth José Juan Carmen Rosa Luis Miguel Wei Priya Arjun Aisha Omar Yuki Hiroshi Ngozi
Emeka Ivan Olga Pierre Amélie Sean Siobhan Mateo Valentina Thandiwe Leila Hassan Grace Daniel`.split(/\s+/);
const SURNAMES = `Garcia Smith Nguyen Okafor Rossi Kim Hernández Brown Cohen Silva Johnson Williams Jones Miller Davis
Rodriguez Martinez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris
Sanchez Clark Ramirez Lewis Robinson Walker Young Allen Wang Li Zhang Patel Singh Khan Ali Ivanova Dubois Murphy
Kowalski Mensah Adeyemi Tanaka Sato Costa Ferreira`.split(/\s+/);

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
    select md5('c' || g)::uuid, (${names})[1 + (g::bigint * 7919) % ${NAMES.length}] || ' ' || (${surnames})[1 + (g::bigint * 104729 / 7) % ${SURNAMES.length}],
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
  const rand = mulberry32(42);
  // Skewed draw: power > 1 favours the front of a list (the frequent words).
  const pick = (list: string[], skew = 2.2) => list[Math.floor(Math.pow(rand(), skew) * list.length)];
  const body = (g: number) => {
    const spanish = Math.floor((g - 1) / 10) % 4 === 3; // a conversation is in one language
    const long = rand() < 0.1; // one in ten is a long email
    const n = 3 + Math.floor(rand() * 14) + (long ? Math.floor(rand() * 60) : 0);
    const words = Array.from({ length: n }, () => pick(spanish ? ES_WORDS : EN_WORDS)).join(' ');
    return rand() < 0.25 ? `${pick(spanish ? ES_REQUESTS : EN_REQUESTS, 1)}. ${words}` : words;
  };
  const batch = 20_000;
  for (let from = 1; from <= MESSAGES; from += batch) {
    const to = Math.min(MESSAGES, from + batch - 1);
    const bodies = Array.from({ length: to - from + 1 }, (_, i) => body(from + i));
    await db.execute(sql`
      insert into messages (conversation_id, channel, direction, body, status, created_at)
      select md5('v' || (1 + (g - 1) / 10))::uuid, 'sms', case when g % 2 = 0 then 'inbound' else 'outbound' end,
        b.body, 'received', now() - ((${MESSAGES} - g) * 3 || ' seconds')::interval
      from unnest(${`{${bodies.map((t) => `"${t.replace(/["\\]/g, '\\$&')}"`).join(',')}}`}::text[]) with ordinality as b(body, i),
        lateral (select ${from}::int + b.i::int - 1 as g) x`);
    process.stdout.write(`  ${to} messages\r`);
  }
  await db.execute(sql`analyze`);
  console.log(`filled in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

/** A small seeded PRNG: every run fills the same text. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
    ['contact full name', (i) => `${NAMES[(i * 7) % NAMES.length]} ${SURNAMES[(i * 11) % SURNAMES.length]}`],
    ['surname fragment', (i) => SURNAMES[(i * 11) % SURNAMES.length].slice(0, 5)],
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
