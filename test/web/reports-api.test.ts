import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contacts, conversations } from '../../src/db/schema.js';
import { eventually, randomPhone, startTestApp, type TestApp } from '../helpers/harness.js';

/**
 * The organisation sits in a fixed-offset zone where it is about noon now, never UTC's own
 * hour: "today" and its hours must follow it, not the server's or the database's clock.
 */
const utcHour = new Date().getUTCHours();
const localHour = utcHour === 12 ? 10 : 12;
/** Etc/GMT zones span UTC−12 to UTC+14. */
const OFFSET_HOURS = (localHour - utcHour + 24) % 24 > 14 ? ((localHour - utcHour + 24) % 24) - 24 : (localHour - utcHour + 24) % 24;
/** POSIX-style names are inverted: Etc/GMT-5 is UTC+5. */
const TZ = OFFSET_HOURS === 0 ? 'UTC' : `Etc/GMT${OFFSET_HOURS > 0 ? '-' : '+'}${Math.abs(OFFSET_HOURS)}`;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('desk-reports', { TZ });
});
afterAll(async () => {
  await app?.stop();
});

describe("the wallboard's figures", () => {
  it("counts today's conversations by channel and by hour, and what each agent is on", async () => {
    const ana = await app.agent({ name: 'Ana', queues: ['donor'] });
    const sock = await app.socket(ana.token);
    const before = (await app.api('GET', '/api/reports/today')).body;
    const smsBefore = before.byChannel.find((c: any) => c.channel === 'sms').count;

    await app.sms(randomPhone(), 'first');
    await app.sms(randomPhone(), 'second');
    const offer = await sock.waitFor('reservation.created');
    expect((await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, ana.token)).status).toBe(200);

    const report = await eventually(async () => {
      const r = (await app.api('GET', '/api/reports/today')).body;
      return r.byChannel.find((c: any) => c.channel === 'sms').count === smsBefore + 2 ? r : undefined;
    });
    expect(report.byChannel.map((c: any) => c.channel)).toEqual(['voice', 'sms', 'email', 'slack']);
    expect(report.byHour).toHaveLength(24);
    const hourTotal = report.byHour.reduce((n: number, h: any) => n + h.sms + h.voice + h.email + h.slack, 0);
    expect(hourTotal).toBe(report.byChannel.reduce((n: number, c: any) => n + c.count, 0));
    expect(report.agentLoad[ana.id]).toEqual({ sms: 1 });
  });

  it("counts today and its hours in the organisation's time zone", async () => {
    expect(OFFSET_HOURS).not.toBe(0);
    const now = Date.now();
    // Local midnight today: the local clock is UTC shifted by the offset.
    const local = new Date(now + OFFSET_HOURS * 3_600_000);
    const midnight = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - OFFSET_HOURS * 3_600_000;
    expect(now - midnight).toBeGreaterThan(3_600_000); // about noon locally: both fixtures are in the past

    const before = (await app.api('GET', '/api/reports/today')).body;
    const db = app.sb.deps.db;
    const [contact] = await db.insert(contacts).values({ name: 'Today fixture' }).returning();
    const put = (threadKey: string, at: number) =>
      db.insert(conversations).values({
        contactId: contact.id,
        channel: 'email',
        queueKey: 'donor',
        inboxAddress: 'help@example.test',
        threadKey,
        status: 'abandoned',
        createdAt: new Date(at),
        queuedAt: new Date(at),
      });
    await put('just-after-midnight', midnight + 60_000); // local 00:01 today
    await put('just-before-midnight', midnight - 60_000); // local 23:59 yesterday: not today
    const after = (await app.api('GET', '/api/reports/today')).body;
    const email = (r: any) => r.byChannel.find((c: any) => c.channel === 'email').count;
    expect(email(after) - email(before)).toBe(1);
    expect(after.byHour[0].email - before.byHour[0].email).toBe(1);
  });

  it('is for supervisors; any agent may read the directory to pick a transfer target', async () => {
    const bo = await app.agent({ name: 'Bo', queues: ['it', 'partner'], available: false });
    const denied = await app.api('GET', '/api/reports/today', undefined, bo.token);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');
    const dir = await app.api('GET', '/api/directory/agents', undefined, bo.token);
    expect(dir.status).toBe(200);
    expect(dir.body.agents.find((a: any) => a.id === bo.id)).toEqual({
      id: bo.id,
      name: 'Bo',
      presence: 'offline',
      queues: ['it', 'partner'],
    });
    expect(Object.keys(dir.body.agents[0]).sort()).toEqual(['id', 'name', 'presence', 'queues']); // no emails or roles
    expect((await app.api('GET', '/api/directory/agents', undefined, null)).status).toBe(401);
    const doc = (await app.api('GET', '/api/openapi.json')).body;
    expect(doc.paths['/api/reports/today']).toBeTruthy();
    expect(doc.paths['/api/directory/agents']).toBeTruthy();
  });
});
