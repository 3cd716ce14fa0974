import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markCallEnded, markOnCall } from '../src/core/agents/set-presence.js';
import { ingestInbound } from '../src/core/conversations/ingest-inbound.js';
import { agents } from '../src/db/schema.js';
import { randomPhone, startTestApp, type TestApp } from './helpers/harness.js';
import { routingFixtures, ROUTING_TEST_ENV } from './helpers/routing-fixtures.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('routing-presence', ROUTING_TEST_ENV);
});
afterAll(async () => {
  await app?.stop();
});
const { line, text, key, conv } = routingFixtures(() => app);

describe('presence', () => {
  it('on a call: busy (messaging still offered, no voice), then wrap-up, then available again', async () => {
    const k = key('call');
    await app.api('POST', '/api/queues', { key: k, name: 'Calls' });
    const to = await line(k);
    const a = await app.agent({ name: 'Caller', queues: [k] });
    const s = await app.socket(a.token);
    await markOnCall(app.sb.deps, a.id);
    await s.waitFor('agent.presence', (p) => p.presence === 'busy');
    // A call waits…
    const callSid = 'CA' + randomBytes(16).toString('hex');
    const call = await ingestInbound(app.sb.deps, {
      channel: 'voice',
      externalId: callSid,
      from: { kind: 'phone', value: randomPhone() },
      inboxAddress: to,
      threadKey: callSid,
      queue: k,
    });
    const callId = !call.duplicate ? call.conversation!.id : '';
    // …while a text is offered at once.
    await text(to);
    const sms = await s.waitFor('reservation.created');
    expect(sms.channel).toBe('sms');
    await new Promise((r) => setTimeout(r, 500));
    expect((await conv(callId)).status).toBe('waiting');
    await markCallEnded(app.sb.deps, a.id);
    await s.waitFor('agent.presence', (p) => p.presence === 'wrap-up');
    await s.waitFor('agent.presence', (p) => p.presence === 'available' && p.reason === 'wrap-up ended', 8000);
    const voice = await s.waitFor('reservation.created', (p) => p.channel === 'voice');
    expect(voice.conversationId).toBe(callId);
  });

  it('an agent whose desk is gone longer than the grace period goes offline; a connected desk stays', async () => {
    // API-only agents (no desk ever) are not set offline.
    const api = await app.agent({ name: 'ApiOnly', queues: ['it'] });
    const leaver = await app.agent({ name: 'Leaver', queues: ['it'] });
    const stayer = await app.agent({ name: 'Stayer', queues: ['it'] });
    const sLeaver = await app.socket(leaver.token);
    const sStayer = await app.socket(stayer.token);
    const sup = await app.agent({ name: 'Watcher', role: 'supervisor', queues: [], available: false });
    const sSup = await app.socket(sup.token);
    sLeaver.close();
    const offline = await sSup.waitFor('agent.presence', (p) => p.agentId === leaver.id && p.presence === 'offline', 10_000);
    expect(offline.reason).toMatch(/desk disconnected/);
    // Well past the grace period with a live socket (heartbeats): still available.
    await new Promise((r) => setTimeout(r, 1500));
    const [row] = await app.sb.deps.db.select().from(agents).where(eq(agents.id, stayer.id));
    expect(row.presence).toBe('available');
    expect(sStayer.socket.connected).toBe(true);
    const [apiRow] = await app.sb.deps.db.select().from(agents).where(eq(agents.id, api.id));
    expect(apiRow.presence).toBe('available');
  });

  it('K offers in a row timing out set the agent away, and the agent is told why', async () => {
    const k = key('lapse');
    await app.api('POST', '/api/queues', { key: k, name: 'Lapses' });
    const to = await line(k);
    const a = await app.agent({ name: 'Dozy', queues: [k], capacity: { sms: 1 } });
    const s = await app.socket(a.token);
    await text(to);
    await text(to);
    const away = await s.waitFor('agent.presence', (p) => p.presence === 'away', 15_000);
    expect(away.reason).toBe('set away after 2 offers in a row timed out');
    expect(s.events.filter((e) => e.event === 'reservation.canceled' && e.payload.reason === 'timeout').length).toBeGreaterThanOrEqual(2);
  });
});

describe('transfer', () => {
  it('to another queue (routed again) and to a named agent (offered to them)', async () => {
    const from = key('tfa');
    const toQ = key('tfb');
    await app.api('POST', '/api/queues', { key: from, name: 'From' });
    await app.api('POST', '/api/queues', { key: toQ, name: 'To' });
    const a = await app.agent({ name: 'Ann', queues: [from] });
    const b = await app.agent({ name: 'Ben', queues: [toQ] });
    const c = await app.agent({ name: 'Cy', queues: [from], capacity: { sms: 1 } });
    const [sa, sb, sc] = await Promise.all([app.socket(a.token), app.socket(b.token), app.socket(c.token)]);
    await app.api('PUT', '/api/me/status', { status: 'away' }, c.token);
    await text(await line(from));
    const offer = await sa.waitFor('reservation.created');
    await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, a.token);

    const moved = await app.api('POST', `/api/conversations/${offer.conversationId}/transfer`, { queue: toQ }, a.token);
    expect(moved.status).toBe(200);
    expect(moved.body.conversation).toMatchObject({ queue: toQ, assigneeId: null });
    const toBen = await sb.waitFor('reservation.created');
    expect(toBen.conversationId).toBe(offer.conversationId);
    await app.api('POST', `/api/reservations/${toBen.reservationId}/accept`, undefined, b.token);

    // Cy is away: a named transfer is refused; available, Cy gets the offer (not Ann, who serves that queue too).
    const refused = await app.api('POST', `/api/conversations/${offer.conversationId}/transfer`, { agentId: c.id }, b.token);
    expect(refused.status).toBe(409);
    await app.api('PUT', '/api/me/status', { status: 'available' }, c.token);
    const named = await app.api('POST', `/api/conversations/${offer.conversationId}/transfer`, { agentId: c.id }, b.token);
    expect(named.status).toBe(200);
    const toCy = await sc.waitFor('reservation.created', (p) => p.conversationId === offer.conversationId);
    const ok = await app.api('POST', `/api/reservations/${toCy.reservationId}/accept`, undefined, c.token);
    expect(ok.body.conversation).toMatchObject({ assigneeId: c.id, status: 'assigned' });
    expect(sa.events.filter((e) => e.event === 'reservation.created' && e.payload.conversationId === offer.conversationId)).toHaveLength(1);
  });
});
