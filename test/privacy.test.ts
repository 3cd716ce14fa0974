import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpired } from '../src/core/privacy/retention.js';
import { attachments, auditLog, contactIdentities, contacts, conversations, keptOptOuts, messages } from '../src/db/schema.js';
import { QUEUE_NAMES, RETENTION_CRON } from '../src/jobs/queues.js';
import { eventually, HOTLINE, randomPhone, startTestApp, TEST_REDIS_URL, type TestApp } from './helpers/harness.js';
import { inboundMail, type Mx } from './helpers/inbound-mail.js';
import { recordingSid, simulateCall } from './voice-helpers.js';

/** Issue 18: erasure of a contact (DELETE /api/contacts/:id) and the retention period (RETENTION_DAYS). */
const DOMAIN = 'privacy.example.org';
let app: TestApp;
let mx: Mx;
beforeAll(async () => {
  const mail = await inboundMail(DOMAIN);
  mx = mail.mx;
  app = await startTestApp('privacy', mail.env);
  expect((await app.api('POST', '/api/inboxes', { kind: 'phone', address: HOTLINE, queue: 'donor' })).status).toBe(201);
}, 60_000);
afterAll(async () => {
  mx?.close();
  await app?.stop();
});

const db = () => app.sb.deps.db;
const contactOf = async (kind: 'phone' | 'email', value: string) =>
  (await db().select().from(contactIdentities).where(eq(contactIdentities.value, value))).find((i) => i.kind === kind);

/** A donor who texted, called (recorded) and was sent a reply; then texted STOP. */
async function donorWithHistory() {
  const phone = randomPhone();
  expect((await app.sms(phone, 'My card ending 4242 was charged twice')).status).toBe(200);
  const call = simulateCall(app, { from: phone, to: HOTLINE });
  await call.press(await call.press(await call.ring(), '1'), '1');
  const voice = await eventually(async () => (await db().select().from(conversations).where(eq(conversations.threadKey, call.sid)))[0]);
  const rec = recordingSid();
  const recorded = await app.twilioPost(`/webhooks/twilio/voice/recording?conversationId=${voice.id}`, {
    AccountSid: app.config.twilio.accountSid!,
    CallSid: call.sid,
    RecordingSid: rec,
    RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/${rec}`,
    RecordingDuration: '31',
    RecordingStatus: 'completed',
  });
  expect(recorded.status).toBe(204);
  await call.status('completed');
  expect((await app.sms(phone, 'STOP')).status).toBe(200);
  const identity = (await contactOf('phone', phone))!;
  expect(identity.optedOutAt).not.toBeNull();
  return { phone, contactId: identity.contactId, recording: rec };
}

async function rowsOfContact(contactId: string) {
  const convs = await db().select().from(conversations).where(eq(conversations.contactId, contactId));
  const ids = convs.map((c) => c.id);
  const msgs = ids.length ? await db().select().from(messages).where(inArray(messages.conversationId, ids)) : [];
  return { convs, msgs };
}

describe('DELETE /api/contacts/:id', () => {
  it('removes bodies, identities, recordings (at Twilio), keeps an audit entry and the STOP', async () => {
    const donor = await donorWithHistory();
    const bystander = randomPhone();
    await app.sms(bystander, 'I am not being erased');
    const before = await rowsOfContact(donor.contactId);
    expect(before.convs.length).toBe(2);
    expect(before.msgs.some((m) => m.metadata.recordingSid === donor.recording)).toBe(true);

    const r = await app.api('DELETE', `/api/contacts/${donor.contactId}`);
    expect(r.status).toBe(204);

    // Nothing of the contact is left in the database…
    expect(await db().select().from(contacts).where(eq(contacts.id, donor.contactId))).toHaveLength(0);
    expect(await db().select().from(contactIdentities).where(eq(contactIdentities.contactId, donor.contactId))).toHaveLength(0);
    expect(await db().select().from(conversations).where(eq(conversations.contactId, donor.contactId))).toHaveLength(0);
    expect(
      await db()
        .select()
        .from(messages)
        .where(
          inArray(
            messages.id,
            before.msgs.map((m) => m.id),
          ),
        ),
    ).toHaveLength(0);
    const text = await db().execute(sql`select count(*)::int as n from messages where body like '%4242%'`);
    expect(text[0]).toEqual({ n: 0 });
    // …the recording was deleted at Twilio through its API…
    expect(app.twilio.deletedRecordings()).toContain(donor.recording);
    // …someone else's data is untouched…
    expect(await contactOf('phone', bystander)).toBeDefined();
    // …and an audit entry says what was removed, without any of it.
    const [entry] = await db()
      .select()
      .from(auditLog)
      .where(eq(auditLog.target, `contact:${donor.contactId}`));
    expect(entry).toMatchObject({ action: 'contact.erase', details: { conversations: 2, recordings: 1, identities: 1, optOutsKept: 1 } });
    expect(JSON.stringify(entry)).not.toContain(donor.phone.slice(2));
    const listed = await app.api('GET', '/api/audit?action=contact.erase');
    expect(listed.body.entries.map((e: any) => e.target)).toContain(`contact:${donor.contactId}`);

    // The STOP outlives the erasure: no SMS may be started to that number…
    const [kept] = await db().select().from(keptOptOuts).where(eq(keptOptOuts.value, donor.phone));
    expect(kept).toMatchObject({ kind: 'phone' });
    const outbound = await app.api('POST', '/api/conversations', { channel: 'sms', to: donor.phone, queue: 'donor', body: 'Hello again' });
    expect(outbound.status).toBe(409);
    expect(outbound.body.error.code).toBe('opted_out');
    // …a new message from it makes a fresh contact that is still opted out, with none of the old history…
    await app.sms(donor.phone, 'hello?');
    const fresh = (await contactOf('phone', donor.phone))!;
    expect(fresh.contactId).not.toBe(donor.contactId);
    expect(fresh.optedOutAt).not.toBeNull();
    expect((await rowsOfContact(fresh.contactId)).msgs.map((m) => m.body)).toEqual(['hello?']);
    // …until it texts START.
    await app.sms(donor.phone, 'START');
    expect((await contactOf('phone', donor.phone))!.optedOutAt).toBeNull();
    expect(await db().select().from(keptOptOuts).where(eq(keptOptOuts.value, donor.phone))).toHaveLength(0);
  });

  it('removes attachments and the raw mail of an email contact', async () => {
    const sent = await mx.sendMail({
      from: 'erase.me@example.net',
      to: `donor@${DOMAIN}`,
      subject: 'My bank details',
      text: 'IBAN attached',
      attachments: [{ filename: 'iban.txt', content: 'DE89 3704 0044 0532 0130 00' }],
    });
    expect(sent.response).toMatch(/^250/);
    const identity = await eventually(() => contactOf('email', 'erase.me@example.net'));
    const { msgs } = await rowsOfContact(identity.contactId);
    const files = await db().select().from(attachments).where(eq(attachments.messageId, msgs[0].id));
    expect(files.map((f) => f.role).sort()).toEqual(['attachment', 'original']);

    expect((await app.api('DELETE', `/api/contacts/${identity.contactId}`)).status).toBe(204);
    expect(
      await db()
        .select()
        .from(attachments)
        .where(
          inArray(
            attachments.id,
            files.map((f) => f.id),
          ),
        ),
    ).toHaveLength(0);
    expect(await contactOf('email', 'erase.me@example.net')).toBeUndefined();
    // Downloading a file of the erased mail finds nothing.
    expect((await app.api('GET', `/api/attachments/${files[0].id}`)).status).toBe(404);
  });

  it('Twilio refusing to delete a recording erases nothing (503); the retry erases it all', async () => {
    const donor = await donorWithHistory();
    app.twilio.failNext(500, 20500, 'Internal Server Error', 1, `/Recordings/${donor.recording}.json`);
    const refused = await app.api('DELETE', `/api/contacts/${donor.contactId}`);
    expect(refused.status).toBe(503);
    expect((await rowsOfContact(donor.contactId)).convs).toHaveLength(2);
    expect(await db().select().from(contacts).where(eq(contacts.id, donor.contactId))).toHaveLength(1);
    expect((await app.api('DELETE', `/api/contacts/${donor.contactId}`)).status).toBe(204);
    expect(app.twilio.deletedRecordings()).toContain(donor.recording);
    expect((await rowsOfContact(donor.contactId)).convs).toHaveLength(0);
  });

  it('admins only; an unknown contact is 404, a second erasure too', async () => {
    const phone = randomPhone();
    await app.sms(phone, 'hi');
    const { contactId } = (await contactOf('phone', phone))!;
    const supervisor = await app.agent({ name: 'Sup Erase', role: 'supervisor' });
    expect((await app.api('DELETE', `/api/contacts/${contactId}`, undefined, supervisor.token)).status).toBe(403);
    expect((await app.api('DELETE', `/api/contacts/${contactId}`, undefined, null)).status).toBe(401);
    expect((await app.api('DELETE', `/api/contacts/${contactId}`)).status).toBe(204);
    expect((await app.api('DELETE', `/api/contacts/${contactId}`)).status).toBe(404);
    expect((await app.api('DELETE', '/api/contacts/not-a-uuid')).status).toBe(400);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await app.api('GET', '/api/openapi.json', undefined, null);
    expect(doc.body.paths['/api/contacts/{id}'].delete).toBeDefined();
  });
});

describe('retention (RETENTION_DAYS)', () => {
  const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);
  async function closedConversation(status: 'resolved' | 'abandoned' | 'waiting', days: number, on = app) {
    const phone = randomPhone();
    await on.sms(phone, `closed ${days} days ago`);
    const [identity] = await on.sb.deps.db.select().from(contactIdentities).where(eq(contactIdentities.value, phone));
    const [c] = await on.sb.deps.db
      .update(conversations)
      .set({
        status,
        resolvedAt: status === 'resolved' ? daysAgo(days) : null,
        abandonedAt: status === 'abandoned' ? daysAgo(days) : null,
        lastMessageAt: daysAgo(days),
        createdAt: daysAgo(days + 1),
      })
      .where(eq(conversations.contactId, identity.contactId))
      .returning();
    return c;
  }

  it('is off by default: no nightly schedule, nothing purged', async () => {
    expect(app.config.retentionDays).toBeUndefined();
    const q = new Queue(QUEUE_NAMES.maintenance, { connection: new Redis(TEST_REDIS_URL), prefix: app.config.redisPrefix });
    try {
      expect(await q.getJobScheduler('retention')).toBeFalsy();
    } finally {
      await q.close();
    }
    const old = await closedConversation('resolved', 4000);
    expect(await purgeExpired(app.sb.deps)).toBeNull();
    expect(await db().select().from(conversations).where(eq(conversations.id, old.id))).toHaveLength(1);
  });

  it('a nightly BullMQ job purges conversations closed longer ago than that, recordings at Twilio included', async () => {
    // An installation of its own: every process of it has RETENTION_DAYS, as in production.
    const kept = await startTestApp('retention', { RETENTION_DAYS: '30' });
    const redis = new Redis(TEST_REDIS_URL);
    const q = new Queue(QUEUE_NAMES.maintenance, { connection: redis, prefix: kept.config.redisPrefix });
    const kdb = kept.sb.deps.db;
    try {
      expect(await q.getJobScheduler('retention')).toMatchObject({ pattern: RETENTION_CRON });

      const old = await closedConversation('resolved', 31, kept);
      const oldAbandoned = await closedConversation('abandoned', 45, kept);
      const recent = await closedConversation('resolved', 29, kept);
      const open = await closedConversation('waiting', 400, kept);
      const rec = recordingSid();
      await kdb
        .insert(messages)
        .values({ conversationId: old.id, channel: 'sms', direction: 'inbound', body: 'x', metadata: { recordingSid: rec } });

      // Tonight's run, now: the job the schedule adds, through the queue and the worker.
      const job = await q.add('retention', {});
      await eventually(
        async () => {
          const state = await job.getState();
          if (state === 'failed') throw new Error(`retention job failed: ${(await q.getJob(job.id!))?.failedReason}`);
          return state === 'completed' ? true : undefined;
        },
        { timeout: 20_000 },
      );

      const left = await kdb
        .select({ id: conversations.id })
        .from(conversations)
        .where(inArray(conversations.id, [old.id, oldAbandoned.id, recent.id, open.id]));
      expect(left.map((r) => r.id).sort()).toEqual([recent.id, open.id].sort());
      expect(await kdb.select().from(messages).where(eq(messages.conversationId, old.id))).toHaveLength(0);
      expect(kept.twilio.deletedRecordings()).toEqual([rec]);
      // The contacts stay (only their closed conversations go); the run is audited.
      expect(await kdb.select().from(contacts).where(eq(contacts.id, old.contactId))).toHaveLength(1);
      const [entry] = await kdb.select().from(auditLog).where(eq(auditLog.action, 'retention.purge'));
      expect(entry.details).toMatchObject({ retentionDays: 30, conversations: 2, recordings: 1 });
    } finally {
      await q.close();
      redis.disconnect();
      await kept.stop();
    }
  }, 60_000);
});
