import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminCache, type AdminCache } from '../src/core/admin-cache.js';
import { messages } from '../src/db/schema.js';
import { createLogger } from '../src/logger.js';
import { createChangeFeed } from '../src/realtime/change-feed.js';
import type { Switchboard } from '../src/switchboard.js';
import {
  eventually,
  HOTLINE,
  PUBLIC_URL,
  randomPhone,
  startTestApp,
  TEST_REDIS_URL,
  TWILIO_ACCOUNT_SID,
  TWILIO_AUTH_TOKEN,
  type TestApp,
} from './helpers/harness.js';

// Two web processes on one database and one Redis: an admin change made through one is seen by
// the other's copies (core/admin-cache.ts) within a second.
let app: TestApp;
let other: Switchboard;
beforeAll(async () => {
  app = await startTestApp('admin-cache');
  other = await app.extraProcess({ ROLE: 'web' });
});
afterAll(async () => {
  await app?.stop();
});

const db = () => app.sb.deps.db;

/** A signed SMS webhook to the second process. */
async function smsToOther(from: string, body: string, to = HOTLINE) {
  const params = {
    MessageSid: `SM${randomBytes(16).toString('hex')}`,
    AccountSid: TWILIO_ACCOUNT_SID,
    From: from,
    To: to,
    Body: body,
    NumMedia: '0',
  };
  const path = '/webhooks/twilio/sms';
  const res = await fetch(`http://127.0.0.1:${other.port}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilio.getExpectedTwilioSignature(TWILIO_AUTH_TOKEN, PUBLIC_URL + path, params),
    },
    body: new URLSearchParams(params).toString(),
  });
  expect(res.status).toBe(200);
}

describe('admin changes reach every process', () => {
  it('announces a change over Redis: a copy that would live a minute is dropped within a second', async () => {
    const pub = new Redis(TEST_REDIS_URL);
    const sub = new Redis(TEST_REDIS_URL);
    const feed = createChangeFeed(pub, sub, app.config.redisPrefix, createLogger('silent'));
    try {
      const cache: AdminCache = createAdminCache(db(), feed, { ttlMs: 60_000 });
      await new Promise((r) => setTimeout(r, 200)); // subscribed (which drops every copy)
      expect(await cache.crisisTerms()).toEqual([]);
      const put = await app.api('PUT', '/api/crisis/terms', { terms: { en: { high: ['code violet'] } } });
      expect(put.status).toBe(200);
      await eventually(
        async () => {
          expect((await cache.crisisTerms()).map((t) => t.phrase)).toEqual(['code violet']);
          return true;
        },
        { timeout: 1_000 },
      );
    } finally {
      feed.close();
      pub.disconnect();
    }
  });

  it('new crisis phrases, queue settings, inbox mappings and incidents set through one process apply to texts the other receives', async () => {
    // The other process has read (and keeps) all three tables.
    const first = randomPhone();
    await smsToOther(first, 'hello');
    expect(await app.conversationOf(first)).toMatchObject({ queueKey: 'donor' });

    expect((await app.api('PUT', '/api/crisis/terms', { terms: { en: { high: ['code orange'] } } })).status).toBe(200);
    const patched = await app.api('PATCH', '/api/queues/donor', { priority: 7 });
    expect(patched.status).toBe(200);
    const line = '+15005550199';
    expect((await app.api('POST', '/api/inboxes', { kind: 'phone', address: line, queue: 'it' })).status).toBe(201);
    const outage = { title: 'Laptops down', publicMessage: 'Our laptops are down; we are on it.', queues: ['it'] };
    expect((await app.api('POST', '/api/incidents', outage)).status).toBe(201);
    await eventually(
      async () => {
        expect((await other.deps.adminCache.crisisTerms()).map((t) => t.phrase)).toContain('code orange');
        const copies = await other.deps.adminCache.snapshot();
        expect(copies.queue('donor')?.priority).toBe(7);
        expect(copies.inbox('phone', line)?.queueKey).toBe('it');
        expect(copies.openIncidentsFor(['it']).map((i) => i.title)).toEqual(['Laptops down']);
        return true;
      },
      { timeout: 1_000 },
    );

    const flagged = randomPhone();
    await smsToOther(flagged, 'we have a code orange here');
    expect(await app.conversationOf(flagged)).toMatchObject({ queueKey: 'crisis', risk: { level: 'high' } });
    const donor = randomPhone();
    await smsToOther(donor, 'a question about my gift');
    expect(await app.conversationOf(donor)).toMatchObject({ queueKey: 'donor', priority: 7 });
    const toLine = randomPhone();
    await smsToOther(toLine, 'my laptop', line);
    const itConversation = await app.conversationOf(toLine);
    expect(itConversation).toMatchObject({ queueKey: 'it' });
    // Its auto-reply tells of the incident declared through the first process.
    const told = await db().select().from(messages).where(eq(messages.conversationId, itConversation.id));
    expect(told.map((m) => m.body)).toContainEqual(expect.stringContaining('Our laptops are down'));
  });

  it('stale copies are read again before a transaction opens: a burst larger than the connection pool is stored at once', async () => {
    // Read inside the ingest transaction, the fresh copy would wait for a pool connection that
    // every transaction of the burst holds (the pool has 10): the webhooks would hang, then be journalled.
    for (const table of ['queues', 'inboxes', 'incidents', 'crisis-terms'] as const) other.deps.adminCache.changed(table);
    const phones = Array.from({ length: 16 }, () => randomPhone());
    const started = Date.now();
    await Promise.all(phones.map((p) => smsToOther(p, 'hello from the burst')));
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const p of phones) expect(await app.conversationOf(p)).toBeTruthy();
  });
});
