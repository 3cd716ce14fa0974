import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Burst } from '../src/core/incidents/bursts.js';
import { perStoredText } from '../src/core/incidents/stored-text-memo.js';
import { eventually, randomPhone, startTestApp, type TestApp } from './helpers/harness.js';

/**
 * The proposal check remembers each stored text's words per process (the window is read again at
 * every check): what it remembers must never outlive the row. Real Postgres, Redis and webhooks.
 */
let app: TestApp;
let supervisor: { id: string; token: string };

beforeAll(async () => {
  app = await startTestApp('incident-proposals-memory');
  supervisor = await app.agent({ name: 'Sol Supervisor', role: 'supervisor', queues: ['donor'], available: false });
}, 60_000);
afterAll(async () => {
  await app?.stop();
});

const proposals = async () => (await app.api('GET', '/api/incidents/proposals', undefined, supervisor.token)).body.proposals;

describe('what the proposal check remembers', () => {
  it("an erased contact's words leave the group at once, though this process read and kept them", async () => {
    const phones = [randomPhone(), randomPhone(), randomPhone(), randomPhone()];
    const bodies = [
      'The volunteer portal login is broken',
      "can't log in to the volunteer portal",
      'volunteer portal login fails',
      'volunteer portal says my login is wrong',
    ];
    for (const [i, phone] of phones.entries()) expect((await app.sms(phone, bodies[i])).status).toBe(200);
    const [group] = await eventually(async () => ((await proposals()) as Burst[]).filter((p) => p.contacts === 4));
    const erased = await app.conversationOf(phones[0]);
    expect(group).toMatchObject({ contacts: 4 });

    expect((await app.api('DELETE', `/api/contacts/${erased.contactId}`)).status).toBe(204);
    // Three left: a coincidence.
    expect(await proposals()).toEqual([]);

    // A fourth again: the group is the four who are still there, the erased contact in none of it.
    const fifth = randomPhone();
    await app.sms(fifth, 'is the volunteer portal login down?');
    const [again] = await eventually(async () => ((await proposals()) as Burst[]).filter((p) => p.contacts === 4));
    expect(again.conversationIds).not.toContain(erased.id);
    expect(again.conversationIds).toContain((await app.conversationOf(fifth)).id);
  });

  it('texts read before an incident was declared stop counting once it is, and count again once it is resolved', async () => {
    for (const body of [
      'Is the Phoenix office closed today?',
      'phoenix office closed? nobody at the door',
      'The Phoenix office seems closed',
      'why is the phoenix office closed',
    ])
      await app.sms(randomPhone(), body);
    const phoenix = (ps: { words: string[] }[]) => ps.filter((p) => p.words.includes('phoenix'));
    await eventually(async () => phoenix(await proposals()).length === 1);

    const declared = await app.api(
      'POST',
      '/api/incidents',
      { title: 'Phoenix office closed', publicMessage: 'The Phoenix office is closed today.' },
      supervisor.token,
    );
    expect(declared.status).toBe(201);
    expect(phoenix(await proposals())).toEqual([]);

    await app.api('POST', `/api/incidents/${declared.body.incident.id}/resolve`, {}, supervisor.token);
    expect(phoenix(await proposals())).toHaveLength(1);
  });
});

describe("a stored text's words, read once per process", () => {
  it('answers from memory for the same message and text, reads again when the text differs, and forgets the oldest first', () => {
    const read: string[] = [];
    const words = perStoredText((text) => {
      read.push(text);
      return text.split(' ');
    });
    expect(words('m1', 'page down')).toEqual(['page', 'down']);
    expect(words('m1', 'page down')).toEqual(['page', 'down']);
    expect(read).toEqual(['page down']);
    // Never another text's words under the same id.
    expect(words('m1', 'office closed')).toEqual(['office', 'closed']);
    expect(read).toEqual(['page down', 'office closed']);
    // Bounded: after 5,000 other texts the first is read again.
    for (let i = 0; i < 5000; i++) words(`other-${i}`, 'x');
    words('m1', 'office closed');
    expect(read.filter((t) => t === 'office closed')).toHaveLength(2);
  });
});
