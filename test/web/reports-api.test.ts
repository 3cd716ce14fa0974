import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, randomPhone, startTestApp, type TestApp } from '../helpers/harness.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('desk-reports');
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
