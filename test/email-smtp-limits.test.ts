import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { Redis } from 'ioredis';
import { eventually, freePort, startTestApp, TEST_REDIS_URL, type TestApp } from './helpers/harness.js';

/** Issue 18: the inbound SMTP server's limits — clients at once, mail per sender and per client (Redis), size, STARTTLS. */
const DOMAIN = 'limits.example.org';
const TLS_DIR = fileURLToPath(new URL('./fixtures/tls/', import.meta.url));
let app: TestApp;
let port: number;
beforeAll(async () => {
  port = await freePort();
  app = await startTestApp('smtp-limits', {
    INBOUND_SMTP_PORT: String(port),
    INBOUND_EMAIL_DOMAIN: DOMAIN,
    INBOUND_SMTP_MAX_CLIENTS: '3',
    INBOUND_EMAIL_PER_SENDER_PER_HOUR: '3',
    INBOUND_EMAIL_PER_CLIENT_PER_HOUR: '10',
    INBOUND_EMAIL_MAX_MB: '1',
    INBOUND_SMTP_TLS_CERT: `${TLS_DIR}cert.pem`,
    INBOUND_SMTP_TLS_KEY: `${TLS_DIR}key.pem`,
  });
}, 60_000);
afterAll(async () => {
  await app?.stop();
});

const transport = (p = port) => nodemailer.createTransport({ host: '127.0.0.1', port: p, secure: false, ignoreTLS: true });
async function send(from: string, p = port, text = 'hello') {
  const t = transport(p);
  try {
    const info = await t.sendMail({ envelope: { from, to: [`donor@${DOMAIN}`] }, from, to: `donor@${DOMAIN}`, subject: 'x', text });
    return { code: Number(info.response.slice(0, 3)), response: info.response };
  } catch (err) {
    const e = err as { responseCode?: number; response?: string };
    return { code: e.responseCode ?? 0, response: e.response ?? String(err) };
  } finally {
    t.close();
  }
}

/** A raw SMTP connection: resolves with the server's first line (the banner, or a refusal). */
function greet(p = port): Promise<{ socket: Socket; line: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(p, '127.0.0.1');
    socket.once('error', reject);
    socket.once('data', (d) => resolve({ socket, line: d.toString().trim() }));
  });
}

describe('inbound SMTP limits', () => {
  it('defaults: 10 MB, 20 clients, 60 mails per sender and 600 per client an hour, no TLS', () => {
    const c = loadConfig({ INBOUND_EMAIL_DOMAIN: DOMAIN });
    expect(c.mail).toMatchObject({ maxInboundBytes: 10 * 1024 * 1024, maxClients: 20, rateLimits: { perSender: 60, perClient: 600 } });
    expect(c.mail.tls).toBeUndefined();
    expect(() => loadConfig({ INBOUND_SMTP_TLS_CERT: 'cert.pem' })).toThrow(/INBOUND_SMTP_TLS_KEY/);
  });

  it('more clients than INBOUND_SMTP_MAX_CLIENTS at once are answered 421', async () => {
    const held = [await greet(), await greet(), await greet()];
    try {
      expect(held.map((h) => h.line.slice(0, 3))).toEqual(['220', '220', '220']);
      const extra = await greet();
      expect(extra.line).toMatch(/^421/);
      extra.socket.destroy();
    } finally {
      for (const h of held) h.socket.destroy();
    }
    // Once they are gone, mail flows again.
    await eventually(async () => (await send('after.crowd@example.net')).code === 250);
  });

  it('mail over the per-sender and per-client hourly limits is deferred (450), counted across processes', async () => {
    // A second web process on the same Redis: a flood spread over two MX hosts is still one flood.
    const port2 = await freePort();
    await app.extraProcess({ ROLE: 'web', INBOUND_SMTP_PORT: String(port2) });
    const flood = 'flood@attacker.example';
    expect((await send(flood)).code).toBe(250);
    expect((await send(flood, port2)).code).toBe(250);
    expect((await send(flood)).code).toBe(250);
    const fourth = await send(flood, port2);
    expect(fourth.code).toBe(450);
    expect(fourth.response).toMatch(/too much mail from this sender/);
    // Another sender still gets through…
    expect((await send('someone.else@example.net')).code).toBe(250);
    // …until this client as a whole reaches its own limit (10 an hour here).
    const counted = await clientCount();
    expect(counted).toBeGreaterThanOrEqual(6);
    const codes: number[] = [];
    for (let i = 0; codes.at(-1) !== 450 && i < 12; i++) codes.push((await send(`sender${i}@example.net`, i % 2 ? port2 : port)).code);
    expect(codes.at(-1)).toBe(450);
    expect(codes.filter((c) => c === 250)).toHaveLength(10 - counted);
    // Deferred mail was not stored.
    const stored = await app.sb.deps.db.execute(sql`select count(*)::int as n from messages where metadata->'email'->>'from' = ${flood}`);
    expect(stored[0]).toEqual({ n: 3 });
  });

  it('STARTTLS is offered with a configured certificate, and mail arrives over it', async () => {
    const cert = readFileSync(`${TLS_DIR}cert.pem`);
    const t = nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      secure: false,
      requireTLS: true,
      tls: { ca: [cert], servername: 'localhost' },
    });
    // (The client's hourly limit is spent by now: this checks the handshake, which no limit applies to.)
    await expect(t.verify()).resolves.toBe(true);
    t.close();
  });

  it('EHLO advertises the smaller size limit (SIZE, 552 beyond) and STARTTLS', async () => {
    const { line, socket } = await greet();
    expect(line).toMatch(/^220/);
    const ehlo = await new Promise<string>((resolve) => {
      let buf = '';
      socket.on('data', (d) => {
        buf += d.toString();
        if (/^250 /m.test(buf)) resolve(buf);
      });
      socket.write('EHLO client.example\r\n');
    });
    socket.destroy();
    expect(ehlo).toMatch(/SIZE 1048576/);
    expect(ehlo).toMatch(/STARTTLS/);
  });
});

/** How many mails this test's client (127.0.0.1) has sent in the current hour, as Redis counts them. */
async function clientCount(): Promise<number> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    const keys = await redis.keys(`${app.config.redisPrefix}:smtp:client:*`);
    expect(keys).toHaveLength(1);
    return Number(await redis.get(keys[0]));
  } finally {
    redis.disconnect();
  }
}
