import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestInbound } from '../src/core/conversations/ingest-inbound.js';
import type { InboundMessage } from '../src/core/conversations/types.js';
import { createLogger } from '../src/logger.js';
import { storeText, type TextToStore } from '../src/db/queries/store-text.js';
import { contactIdentities, conversations, inboundEvents, messages } from '../src/db/schema.js';
import { HOTLINE, randomPhone, startTestApp, type TestApp } from './helpers/harness.js';

/**
 * A plain text is stored in one statement (src/db/queries/store-text.ts) with the guarantees of
 * the transaction it stands in for; everything else still goes through the transaction.
 */
const lines: string[] = [];
const capture = { write: (s: string) => void lines.push(s) };
let app: TestApp;
let slaLine: string;
beforeAll(async () => {
  app = await startTestApp('ingest-plain-text', {}, { logger: createLogger('info', {}, capture) });
  expect(
    (await app.api('POST', '/api/queues', { key: 'timed', name: 'Timed', sla: { firstResponseSeconds: 600, resolutionSeconds: 7200 } }))
      .status,
  ).toBe(201);
  slaLine = '+15005550990';
  expect((await app.api('POST', '/api/inboxes', { kind: 'phone', address: slaLine, queue: 'timed' })).status).toBe(201);
}, 60_000);
afterAll(async () => {
  await app?.stop();
});

const db = () => app.sb.deps.db;
const text = (from: string, body: string, extra: Partial<InboundMessage> = {}): InboundMessage => ({
  channel: 'sms',
  externalId: 'SM' + randomUUID().replace(/-/g, ''),
  from: { kind: 'phone', value: from },
  inboxAddress: HOTLINE,
  body,
  ...extra,
});

/** How the ingest of this message stored it, from its 'inbound stored' log line. */
function storedInOneStatement(messageId: string): boolean | undefined {
  const line = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'inbound stored' && l.messageId === messageId);
  return line?.oneStatement;
}

async function countsFor(phone: string) {
  const [row] = (await db().execute(sql`
    select (select count(distinct contact_id) from contact_identities where value = ${phone})::int as contacts,
           (select count(*) from conversations c join contact_identities i on i.contact_id = c.contact_id where i.value = ${phone})::int as conversations,
           (select count(*) from messages m join conversations c on c.id = m.conversation_id
              join contact_identities i on i.contact_id = c.contact_id where i.value = ${phone})::int as messages`)) as unknown as {
    contacts: number;
    conversations: number;
    messages: number;
  }[];
  return row;
}

describe('a plain text', () => {
  it('from a new number: contact, identity, conversation (with its SLA clocks) and message in one statement', async () => {
    const from = randomPhone();
    const r = await ingestInbound(app.sb.deps, text(from, 'Where is my order?', { inboxAddress: slaLine }));
    if (r.duplicate) throw new Error('stored as a duplicate');
    expect(storedInOneStatement(r.message!.id)).toBe(true);
    expect(r.opened).toBe(true);
    expect(r.conversation).toMatchObject({ queueKey: 'timed', status: 'waiting', channel: 'sms', threadKey: '', contactId: r.contactId });
    expect(r.message).toMatchObject({ conversationId: r.conversation!.id, direction: 'inbound', body: 'Where is my order?' });
    // The queue's opening clocks from the row's creation, as openingClocks sets them (no business hours: wall-clock time).
    const c = r.conversation!;
    const after = (d: Date | null) => (d ? d.getTime() - c.createdAt.getTime() : null);
    expect([c.firstResponseDueAt, c.firstResponseWarnAt, c.resolutionDueAt, c.resolutionWarnAt].map(after)).toEqual([
      600_000, 480_000, 7_200_000, 5_760_000,
    ]);
    expect(r.requests?.wakeAt).toHaveLength(4);
    const [identity] = await db().select().from(contactIdentities).where(eq(contactIdentities.value, from));
    expect(identity.contactId).toBe(r.contactId);
    expect(r.conversation!.contactIdentityId).toBe(identity.id);
    expect(await countsFor(from)).toEqual({ contacts: 1, conversations: 1, messages: 1 });
  });

  it('from a known number joins its open conversation and moves its last-message time, in one statement', async () => {
    const from = randomPhone();
    const first = await ingestInbound(app.sb.deps, text(from, 'first'));
    const second = await ingestInbound(app.sb.deps, text(from, 'second'));
    if (first.duplicate || second.duplicate) throw new Error('stored as a duplicate');
    expect(storedInOneStatement(second.message!.id)).toBe(true);
    expect(second.opened).toBe(false);
    expect(second.conversation!.id).toBe(first.conversation!.id);
    expect(second.conversation!.lastMessageAt.getTime()).toBeGreaterThan(first.conversation!.lastMessageAt.getTime());
    expect(await countsFor(from)).toEqual({ contacts: 1, conversations: 1, messages: 2 });
  });

  it('delivered again (same MessageSid) stores nothing twice, one after the other and at once', async () => {
    const from = randomPhone();
    const msg = text(from, 'only once');
    const r = await ingestInbound(app.sb.deps, msg);
    expect(r.duplicate).toBe(false);
    expect(await ingestInbound(app.sb.deps, msg)).toEqual({ duplicate: true });
    expect(await countsFor(from)).toEqual({ contacts: 1, conversations: 1, messages: 1 });

    const other = randomPhone();
    const burst = text(other, 'burst');
    const results = await Promise.all(Array.from({ length: 6 }, () => ingestInbound(app.sb.deps, burst)));
    expect(results.filter((x) => !x.duplicate)).toHaveLength(1);
    expect(await countsFor(other)).toEqual({ contacts: 1, conversations: 1, messages: 1 });
  });

  it('first texts from one new number at once: one contact, one conversation, every message', async () => {
    const from = randomPhone();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => ingestInbound(app.sb.deps, text(from, `part ${i}`))));
    expect(results.every((x) => !x.duplicate)).toBe(true);
    expect(results.filter((x) => !x.duplicate && x.opened)).toHaveLength(1);
    expect(new Set(results.map((x) => (x.duplicate ? null : x.conversation?.id))).size).toBe(1);
    expect(await countsFor(from)).toEqual({ contacts: 1, conversations: 1, messages: 6 });
  });
});

describe('what the one statement leaves to the transaction', () => {
  it('a crisis text is flagged in the transaction that stores it', async () => {
    const from = randomPhone();
    const r = await ingestInbound(app.sb.deps, text(from, 'I want to kill myself tonight'));
    if (r.duplicate) throw new Error('stored as a duplicate');
    expect(storedInOneStatement(r.message!.id)).toBe(false);
    const [c] = await db().select().from(conversations).where(eq(conversations.id, r.conversation!.id));
    expect(c.risk?.level).toBe('high');
    expect(c.queueKey).toBe('crisis');
  });

  it('a keyword and a possible survey answer go through the transaction', async () => {
    const from = randomPhone();
    await ingestInbound(app.sb.deps, text(from, 'hello'));
    const stop = await ingestInbound(app.sb.deps, text(from, 'STOP', { control: 'opt-out' }));
    const three = await ingestInbound(app.sb.deps, text(from, '3'));
    if (stop.duplicate || three.duplicate) throw new Error('stored as a duplicate');
    expect(storedInOneStatement(stop.message!.id)).toBe(false);
    expect(storedInOneStatement(three.message!.id)).toBe(false);
  });

  /** The statement's own input for a plain SMS from `from` (what ingest-inbound.ts passes). */
  const input = (from: string, o: Partial<TextToStore> = {}): TextToStore => ({
    source: 'sms:message',
    externalId: 'SM' + randomUUID().replace(/-/g, ''),
    from: { kind: 'phone', value: from },
    open: { channel: 'sms', threadKey: '', queueKey: 'donor', priority: 10, inboxAddress: HOTLINE, subject: null, metadata: {}, tags: [] },
    clocks: { at: new Date() },
    mayOpen: true,
    nextResponseQueues: [],
    message: { body: 'hi', media: [], metadata: {} },
    ...o,
  });
  const claimOf = async (externalId: string) => db().select().from(inboundEvents).where(eq(inboundEvents.externalId, externalId));

  it('declines, writing nothing (not even the claim), when opening needs more than the row', async () => {
    const from = randomPhone();
    const t = input(from, { mayOpen: false });
    expect(await storeText(db(), t)).toEqual({ stored: 'declined' });
    expect(await claimOf(t.externalId)).toEqual([]);
    expect(await countsFor(from)).toEqual({ contacts: 0, conversations: 0, messages: 0 });
    // Ingest then opens it in the transaction, from the same delivery.
    expect((await storeText(db(), { ...t, mayOpen: true })).stored).toBe('new');
  });

  it('declines for a pending or snoozed conversation, and one that starts a next-response clock', async () => {
    const from = randomPhone();
    const opened = await storeText(db(), input(from));
    if (opened.stored !== 'new') throw new Error(`not stored: ${opened.stored}`);
    const id = opened.conversation.id;
    const later = async (o: Partial<TextToStore> = {}) => {
      const t = input(from, o);
      const r = await storeText(db(), t);
      if (r.stored === 'declined') {
        expect(await claimOf(t.externalId)).toEqual([]);
        expect(await db().select().from(messages).where(eq(messages.externalId, t.externalId))).toEqual([]);
      }
      return r.stored;
    };
    await db().update(conversations).set({ status: 'snoozed' }).where(eq(conversations.id, id));
    expect(await later()).toBe('declined');
    await db().update(conversations).set({ status: 'pending' }).where(eq(conversations.id, id));
    expect(await later()).toBe('declined');
    // Answered, no next-response clock running: only a queue timing the next response declines.
    await db().update(conversations).set({ status: 'waiting', firstReplyAt: new Date() }).where(eq(conversations.id, id));
    expect(await later({ nextResponseQueues: ['donor'] })).toBe('declined');
    expect(await later({ nextResponseQueues: ['timed'] })).toBe('new');
    // A clock already running: the statement may store it.
    await db()
      .update(conversations)
      .set({ nextResponseDueAt: new Date(Date.now() + 60_000) })
      .where(eq(conversations.id, id));
    expect(await later({ nextResponseQueues: ['donor'] })).toBe('new');
  });

  it('declines when a concurrent text made the contact first (the unique identity), and ingest joins it', async () => {
    const from = randomPhone();
    const results = await Promise.all(Array.from({ length: 4 }, () => storeText(db(), input(from))));
    const stored = results.filter((r) => r.stored === 'new');
    // Every loser wrote nothing: exactly one contact, one conversation, as many messages as winners.
    expect(stored.length).toBeGreaterThanOrEqual(1);
    expect(results.every((r) => r.stored === 'new' || r.stored === 'declined')).toBe(true);
    expect(await countsFor(from)).toEqual({ contacts: 1, conversations: 1, messages: stored.length });

    // A known contact whose conversation is closed: concurrent texts race to open the next one.
    await db()
      .update(conversations)
      .set({ status: 'resolved' })
      .where(eq(conversations.contactId, (stored[0] as { contactId: string }).contactId));
    const again = await Promise.all(Array.from({ length: 4 }, () => storeText(db(), input(from))));
    const reopened = again.filter((r) => r.stored === 'new');
    expect(again.every((r) => r.stored === 'new' || r.stored === 'declined')).toBe(true);
    expect(reopened.filter((r) => r.stored === 'new' && r.opened)).toHaveLength(1);
    expect(await countsFor(from)).toEqual({ contacts: 1, conversations: 2, messages: stored.length + reopened.length });
  });
});
