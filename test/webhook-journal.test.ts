import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactIdentities, conversations, messages } from '../src/db/schema.js';
import { eventually, HOTLINE, randomPhone, startTestApp, TWILIO_ACCOUNT_SID, type TestApp } from './helpers/harness.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('webhook-journal');
});
afterAll(async () => {
  await app?.stop();
});

/** Postgres answers "connection failure" (SQLSTATE 08006) to any text with this body — a real server error, not a mock. */
async function databaseDownFor(body: string) {
  const db = app.sb.deps.db;
  await db.execute(
    sql.raw(`create or replace function journal_test_down() returns trigger language plpgsql as $$
      begin if new.body = '${body}' then raise exception 'connection failure' using errcode = '08006'; end if; return new; end $$`),
  );
  await db.execute(sql`create trigger journal_test_down before insert on messages for each row execute function journal_test_down()`);
  return async () => {
    await db.execute(sql`drop trigger journal_test_down on messages`);
  };
}

const textsFrom = async (phone: string) =>
  app.sb.deps.db
    .select({ body: messages.body, externalId: messages.externalId })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .innerJoin(contactIdentities, and(eq(contactIdentities.contactId, conversations.contactId), eq(contactIdentities.kind, 'phone')))
    .where(and(eq(contactIdentities.value, phone), eq(messages.direction, 'inbound')))
    .orderBy(asc(messages.createdAt));

const journalLines = () =>
  readdirSync(app.config.webhookJournalDir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(join(app.config.webhookJournalDir, f), 'utf8').split('\n').filter(Boolean));

describe('a text that cannot be committed (Postgres away)', () => {
  it('is journalled durably and answered 200, then stored once, in order, when Postgres answers again', async () => {
    const phone = randomPhone();
    const up = await databaseDownFor('first, while the database is down');
    const first = await app.sms(phone, 'first, while the database is down');
    // Twilio does not retry a 5xx by default: a 200 with an empty TwiML, and the text on disk.
    expect(first.status).toBe(200);
    expect(first.text).toContain('<Response/>');
    expect(journalLines().some((l) => l.includes(first.sid))).toBe(true);
    // A later text queues behind it (its order kept), even though it could be stored.
    const second = await app.sms(phone, 'second');
    expect(second.status).toBe(200);
    expect(journalLines().some((l) => l.includes(second.sid))).toBe(true);
    expect(await textsFrom(phone)).toEqual([]);

    await up();
    await eventually(async () => (await textsFrom(phone)).length === 2, { timeout: 15_000, interval: 200 });
    expect((await textsFrom(phone)).map((m) => m.body)).toEqual(['first, while the database is down', 'second']);
    // The journal is empty again; replaying once more (a crash before the offset moved) changes nothing.
    await eventually(() => journalLines().length === 0, { timeout: 5_000 });
    await app.sms(phone, 'first, while the database is down', { MessageSid: first.sid });
    await app.sb.deps.journal!.replayNow();
    expect(await textsFrom(phone)).toHaveLength(2);
  });

  it('a journal left by a stopped web process is adopted and replayed by a live one', async () => {
    const phone = randomPhone();
    const sid = 'SM' + 'a1'.repeat(16);
    const entry = {
      id: 'gone-1',
      kind: 'twilio.sms',
      receivedAt: new Date().toISOString(),
      query: {},
      body: { MessageSid: sid, AccountSid: TWILIO_ACCOUNT_SID, From: phone, To: HOTLINE, Body: 'left behind', NumMedia: '0' },
    };
    // No heartbeat file: its owner is gone.
    writeFileSync(join(app.config.webhookJournalDir, '424242-deadbeef.jsonl'), `${JSON.stringify(entry)}\n`);
    await eventually(async () => (await textsFrom(phone)).length === 1, { timeout: 15_000, interval: 200 });
    expect(await textsFrom(phone)).toEqual([{ body: 'left behind', externalId: sid }]);
    await eventually(() => !readdirSync(app.config.webhookJournalDir).some((f) => f.includes('424242-deadbeef')), { timeout: 5_000 });
  });

  it('bad input is still a 400 with nothing journalled', async () => {
    const r = await app.twilioPost('/webhooks/twilio/sms', { AccountSid: TWILIO_ACCOUNT_SID, From: randomPhone(), To: HOTLINE, Body: 'x' });
    expect(r.status).toBe(400);
    expect(journalLines()).toEqual([]);
  });
});
