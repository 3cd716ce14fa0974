/**
 * `npm run demo`: a demo database with agents and a week of history, Switchboard
 * running on it with the sandbox on, and a trickle of new contacts arriving
 * through the sandbox until Ctrl-C. Uses DATABASE_URL's server with the
 * database name suffixed `_demo` (or DEMO_DATABASE_URL); asks before resetting
 * one that exists (`--yes` skips the question).
 */
import { randomInt } from 'node:crypto';
import { createInterface } from 'node:readline/promises';
import postgres from 'postgres';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/client.js';
import { contactIdentities, contacts, conversations, messages, type Channel } from '../src/db/schema.js';
import { createLogger } from '../src/logger.js';
import { startSwitchboard } from '../src/switchboard.js';

const ADMIN = { email: 'admin@demo.example.org', password: 'demo-admin-password' };
const AGENT_PASSWORD = 'demo-agent-password';
type Queue = 'donor' | 'volunteer' | 'partner' | 'it' | 'crisis';

const AGENTS: {
  name: string;
  role: 'agent' | 'supervisor';
  queues: { queue: Queue; level: number }[];
  capacity?: Record<string, number>;
}[] = [
  { name: 'Priya Raman', role: 'supervisor', queues: q('donor:5', 'volunteer:4', 'partner:4', 'crisis:5') },
  { name: 'Marcus Webb', role: 'supervisor', queues: q('it:5', 'volunteer:3', 'crisis:4') },
  { name: 'Sofia Hernández', role: 'agent', queues: q('donor:5', 'crisis:3'), capacity: { sms: 4, email: 6 } },
  { name: 'Daniel Okafor', role: 'agent', queues: q('donor:4', 'partner:3') },
  { name: 'Hannah Kim', role: 'agent', queues: q('volunteer:5', 'donor:2') },
  { name: 'Luis Moreno', role: 'agent', queues: q('donor:3', 'volunteer:3'), capacity: { sms: 5 } },
  { name: 'Grace Thompson', role: 'agent', queues: q('crisis:5', 'donor:3'), capacity: { sms: 2, slack: 2 } },
  { name: 'Ahmed Farouk', role: 'agent', queues: q('it:4') },
  { name: 'Emily Nguyen', role: 'agent', queues: q('partner:5', 'donor:3') },
  { name: 'Jonas Berg', role: 'agent', queues: q('it:3', 'volunteer:2') },
  { name: 'Chloe Martin', role: 'agent', queues: q('donor:4', 'crisis:2'), capacity: { email: 8 } },
  { name: 'Tomás Silva', role: 'agent', queues: q('volunteer:4', 'partner:2') },
];

function q(...specs: string[]) {
  return specs.map((s) => {
    const [queue, level] = s.split(':') as [Queue, string];
    return { queue, level: Number(level) };
  });
}

const FIRST = [
  'Maria',
  'James',
  'Aisha',
  'Wei',
  'Olga',
  'Carlos',
  'Fatima',
  'Noah',
  'Lucía',
  'Ethan',
  'Amara',
  'Ben',
  'Yuki',
  'Sara',
  'Omar',
  'Lena',
];
const LAST = ['Lopez', 'Chen', 'Patel', 'Johnson', 'Rossi', 'Ivanova', 'Diallo', 'García', 'Smith', 'Kowalski', 'Haddad', 'Brown'];

const TOPICS: Record<Queue, { subject: string; ask: string; answer: string }[]> = {
  donor: [
    {
      subject: 'Change my monthly gift',
      ask: 'Hi, I would like to raise my monthly donation to $40.',
      answer: 'Thank you! Your monthly gift is now $40, starting next month.',
    },
    {
      subject: 'Tax receipt',
      ask: 'Could you resend my tax receipt for last year?',
      answer: 'Of course, I have just emailed it to you again.',
    },
    {
      subject: 'Store order not arrived',
      ask: 'My t-shirt order from the store has not arrived yet.',
      answer: 'Sorry about that! It shipped Tuesday; here is the tracking link.',
    },
  ],
  volunteer: [
    {
      subject: 'Volunteering on Saturday',
      ask: 'Can I still sign up for the Saturday food drive?',
      answer: 'Yes, you are on the list for 9am. See you there!',
    },
    {
      subject: 'Background check',
      ask: 'How long does the background check take?',
      answer: 'Usually 3–5 business days; we will email you once it clears.',
    },
  ],
  partner: [
    {
      subject: 'Event sponsorship',
      ask: 'We would like to sponsor the spring gala. Who should I talk to?',
      answer: 'Thanks! I am connecting you with our partnerships lead today.',
    },
    {
      subject: 'Logo usage',
      ask: 'May we use your logo on our newsletter?',
      answer: 'Yes, here are the brand guidelines and the logo files.',
    },
  ],
  it: [
    {
      subject: 'Laptop will not start',
      ask: 'My laptop will not start after the update.',
      answer: 'Hold the power button 10 s, then start it again; tell me if it does not come back.',
    },
    { subject: 'VPN access', ask: 'I cannot connect to the VPN from home.', answer: 'Your account needed a reset; please try again now.' },
  ],
  crisis: [
    {
      subject: 'Need someone to talk to',
      ask: 'I am having a really hard week and need someone to talk to.',
      answer: 'I am here with you. Can you tell me a bit more about what is happening?',
    },
  ],
};

const pick = <T>(xs: readonly T[]): T => xs[randomInt(xs.length)];
const between = (a: number, b: number) => a + randomInt(b - a + 1);
const weighted = <T>(pairs: [T, number][]): T => {
  let n = randomInt(pairs.reduce((s, [, w]) => s + w, 0));
  for (const [v, w] of pairs) if ((n -= w) < 0) return v;
  return pairs[0][0];
};

async function main() {
  const yes = process.argv.includes('--yes');
  const base = loadConfig();
  const demoUrl = new URL(process.env.DEMO_DATABASE_URL ?? base.databaseUrl);
  if (!process.env.DEMO_DATABASE_URL) demoUrl.pathname = `${demoUrl.pathname.replace(/\/$/, '') || '/switchboard'}_demo`;
  const dbName = decodeURIComponent(demoUrl.pathname.slice(1));

  if (await databaseExists(demoUrl)) {
    if (!yes) {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      const answer = await rl.question(`The demo database "${dbName}" exists. Reset it (everything in it is deleted)? [y/N] `);
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        process.stdout.write('Left as it is. Run `npm run demo -- --yes` to reset without asking.\n');
        return;
      }
    }
    await dropDatabase(demoUrl);
  }

  const config = loadConfig({
    ...process.env,
    DATABASE_URL: demoUrl.toString(),
    REDIS_PREFIX: `${base.redisPrefix}demo`,
    SANDBOX: 'true',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  const sb = await startSwitchboard(config, { logger: createLogger(config.logLevel) });
  const url = `http://localhost:${sb.port}`;
  const api = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(`http://127.0.0.1:${sb.port}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data: any = await res.json().catch(() => null);
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(data)}`);
    return data;
  };
  const admin = (await api('POST', '/api/auth/login', ADMIN)).token as string;

  const team: { id: string; email: string; name: string; queues: Queue[] }[] = [];
  for (const a of AGENTS) {
    const email = `${a.name
      .split(' ')[0]
      .toLowerCase()
      .normalize('NFD')
      .replace(/[^a-z]/g, '')}@demo.example.org`;
    const r = await api(
      'POST',
      '/api/agents',
      { email, name: a.name, password: AGENT_PASSWORD, role: a.role, queues: a.queues, capacity: a.capacity },
      admin,
    );
    team.push({ id: r.agent.id, email, name: a.name, queues: a.queues.map((x) => x.queue) });
  }
  const made = await seedHistory(sb.deps.db, team);

  process.stdout.write(
    [
      '',
      `Switchboard demo: ${url}`,
      `  admin       ${ADMIN.email} / ${ADMIN.password}  (the Sandbox tab plays contacts)`,
      ...team.slice(0, 4).map((t) => `  ${AGENTS.find((a) => a.name === t.name)!.role.padEnd(11)} ${t.email} / ${AGENT_PASSWORD}`),
      `  …and ${team.length - 4} more agents (${team
        .slice(4)
        .map((t) => t.email.split('@')[0])
        .join(', ')}), same password`,
      `History: ${made} conversations over the past 7 days. New contacts arrive every 10–40 s through the sandbox; Ctrl-C stops.`,
      '',
    ].join('\n'),
  );

  let stopping = false;
  const trickle = async () => {
    while (!stopping) {
      await new Promise((r) => setTimeout(r, between(10, 40) * 1000));
      if (stopping) return;
      await api('POST', '/api/sandbox/inbound', liveContact(), admin).catch((err: unknown) =>
        process.stderr.write(`demo: a sandbox contact could not be delivered: ${(err as Error).message}\n`),
      );
    }
  };
  void trickle();
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await sb.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

function liveContact() {
  const queue = weighted<Queue>([
    ['donor', 5],
    ['volunteer', 3],
    ['partner', 1],
    ['it', 2],
    ['crisis', 0],
  ]);
  const topic = pick(TOPICS[queue]);
  const name = `${pick(FIRST)} ${pick(LAST)}`;
  const channel = weighted<'sms' | 'email' | 'slack'>([
    ['sms', 5],
    ['email', 3],
    ['slack', queue === 'it' || queue === 'volunteer' ? 3 : 0],
  ]);
  if (channel === 'sms') return { channel, from: `+1555555${String(between(1000, 9999))}`, body: topic.ask };
  if (channel === 'slack') return { channel, from: name, body: topic.ask };
  return {
    channel,
    from: `${name
      .toLowerCase()
      .normalize('NFD')
      .replace(/[^a-z ]/g, '')
      .replace(' ', '.')}@example.org`,
    subject: topic.subject,
    body: topic.ask,
    to: `${queue}@sandbox.switchboard.test`,
  };
}

/** A week of finished work (answered, a few abandoned) in business hours, with realistic waits and handle times. */
async function seedHistory(db: Db, team: { id: string; queues: Queue[] }[]): Promise<number> {
  const people: { id: string; name: string; phone: string; email: string; slack: string }[] = [];
  for (let i = 0; i < 90; i++) {
    const name = `${pick(FIRST)} ${pick(LAST)}`;
    const [c] = await db
      .insert(contacts)
      .values({ name, createdAt: new Date(Date.now() - 8 * 86400_000) })
      .returning();
    const phone = `+1555556${String(1000 + i)}`;
    const email = `${name
      .toLowerCase()
      .normalize('NFD')
      .replace(/[^a-z ]/g, '')
      .replace(' ', '.')}.${i}@example.org`;
    const slack = `UDEMO${String(i).padStart(4, '0')}`;
    await db.insert(contactIdentities).values([
      { contactId: c.id, kind: 'phone', value: phone },
      { contactId: c.id, kind: 'email', value: email },
      { contactId: c.id, kind: 'slack', value: slack },
    ]);
    people.push({ id: c.id, name, phone, email, slack });
  }
  let made = 0;
  const now = Date.now();
  for (let day = 6; day >= 0; day--) {
    const date = new Date(now - day * 86400_000);
    if (date.getDay() === 0) continue; // Sundays are quiet
    for (let hour = 8; hour < 19; hour++) {
      const count = between(1, hour >= 10 && hour <= 15 ? 7 : 3);
      for (let k = 0; k < count; k++) {
        const created = new Date(date);
        created.setHours(hour, between(0, 59), between(0, 59), 0);
        if (created.getTime() > now - 15 * 60_000) continue;
        const queue = weighted<Queue>([
          ['donor', 10],
          ['volunteer', 5],
          ['partner', 2],
          ['it', 4],
          ['crisis', 1],
        ]);
        const channel = weighted<Channel>([
          ['sms', 8],
          ['voice', 4],
          ['email', 5],
          ['slack', queue === 'it' || queue === 'volunteer' ? 4 : 0],
        ]);
        const who = pick(people);
        const topic = pick(TOPICS[queue]);
        const agent = pick(team.filter((t) => t.queues.includes(queue)));
        const offered = new Date(created.getTime() + between(3, queue === 'crisis' ? 20 : 240) * 1000);
        const abandoned = randomInt(100) < (channel === 'voice' ? 9 : 3);
        const accepted = new Date(offered.getTime() + between(2, 20) * 1000);
        const replied = new Date(accepted.getTime() + between(20, 400) * 1000);
        const resolved = new Date(replied.getTime() + between(2, 45) * 60_000);
        const address = channel === 'email' ? who.email : channel === 'slack' ? who.slack : who.phone;
        const [c] = await db
          .insert(conversations)
          .values({
            contactId: who.id,
            channel,
            queueKey: queue,
            status: abandoned ? 'abandoned' : 'resolved',
            assigneeId: abandoned ? null : agent.id,
            inboxAddress:
              channel === 'email' ? `${queue}@sandbox.switchboard.test` : channel === 'slack' ? `D${who.slack.slice(1)}` : '+15555550100',
            subject: channel === 'email' ? topic.subject : null,
            priority: queue === 'crisis' ? 100 : 10,
            createdAt: created,
            queuedAt: created,
            firstOfferedAt: abandoned ? null : offered,
            acceptedAt: abandoned ? null : accepted,
            firstReplyAt: abandoned || channel === 'voice' ? null : replied,
            resolvedAt: abandoned ? null : resolved,
            abandonedAt: abandoned ? offered : null,
            lastMessageAt: abandoned ? created : channel === 'voice' ? resolved : replied,
            metadata: { demo: true },
          })
          .returning();
        made++;
        if (channel === 'voice') {
          await db.insert(messages).values({
            conversationId: c.id,
            channel,
            direction: 'inbound',
            body: abandoned ? 'Missed call' : 'Call',
            createdAt: created,
            metadata: { address },
          });
          continue;
        }
        await db.insert(messages).values({ conversationId: c.id, channel, direction: 'inbound', body: topic.ask, createdAt: created });
        if (!abandoned) {
          await db.insert(messages).values({
            conversationId: c.id,
            channel,
            direction: 'outbound',
            body: topic.answer,
            authorAgentId: agent.id,
            status: channel === 'sms' ? 'delivered' : 'sent',
            createdAt: replied,
          });
        }
      }
    }
  }
  return made;
}

async function databaseExists(url: URL): Promise<boolean> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${decodeURIComponent(url.pathname.slice(1))}`;
    return rows.length > 0;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function dropDatabase(url: URL): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`drop database if exists "${decodeURIComponent(url.pathname.slice(1)).replace(/"/g, '""')}" with (force)`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
