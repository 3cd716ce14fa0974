import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  acceptsChannel,
  chooseAgent,
  compareWaiting,
  escalate,
  openLanes,
  percent,
  planOffers,
  priorityCeiling,
  shouldSetAway,
  type RoutableAgent,
  type WaitingConversation,
} from '../src/core/routing/policy.js';
import { isOpen } from '../src/core/business-hours.js';
import type { Channel } from '../src/db/schema.js';

const T0 = new Date('2026-01-05T10:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

const agent = (id: string, o: Partial<RoutableAgent> = {}): RoutableAgent => ({
  id,
  presence: 'available',
  levels: { donor: 3 },
  free: { voice: 1, sms: 3, email: 5, slack: 3 },
  load: 0,
  lastOfferedAt: null,
  ...o,
});
const conv = (id: string, o: Partial<WaitingConversation> = {}): WaitingConversation => ({
  id,
  queueKey: 'donor',
  channel: 'sms',
  priority: 10,
  queuedAt: T0,
  contactId: `contact-${id}`,
  ...o,
});

describe('routing policy (pure)', () => {
  it('orders waiting work by priority, then oldest first; crisis goes before everything else', () => {
    const list = [
      conv('old-donor', { queuedAt: at(0) }),
      conv('new-donor', { queuedAt: at(30) }),
      conv('crisis', { queueKey: 'crisis', priority: 100, queuedAt: at(60) }),
    ];
    expect([...list].sort(compareWaiting).map((c) => c.id)).toEqual(['crisis', 'old-donor', 'new-donor']);
  });

  it('picks the highest skill, then the longest idle, then the least loaded', () => {
    const c = conv('c');
    expect(chooseAgent(c, [agent('a', { levels: { donor: 2 } }), agent('b', { levels: { donor: 5 } })])?.id).toBe('b');
    expect(chooseAgent(c, [agent('a', { lastOfferedAt: at(10) }), agent('b', { lastOfferedAt: at(5) })])?.id).toBe('b');
    expect(chooseAgent(c, [agent('a', { lastOfferedAt: at(5), load: 2 }), agent('b', { lastOfferedAt: at(5), load: 1 })])?.id).toBe('b');
    // Never offered beats any idle time.
    expect(chooseAgent(c, [agent('a', { lastOfferedAt: at(-9999) }), agent('b')])?.id).toBe('b');
  });

  it('skips agents without the queue, without capacity on the channel, or who declined', () => {
    const c = conv('c');
    expect(chooseAgent(c, [agent('a', { levels: { it: 5 } })])).toBeUndefined();
    expect(chooseAgent(c, [agent('a', { free: { voice: 1, sms: 0, email: 5, slack: 3 } })])).toBeUndefined();
    expect(chooseAgent(c, [agent('a')], new Set(['a']))).toBeUndefined();
  });

  it('busy and wrap-up agents take messaging but never a call; away and offline take nothing', () => {
    for (const ch of ['sms', 'email', 'slack'] as Channel[]) {
      expect(acceptsChannel('busy', ch)).toBe(true);
      expect(acceptsChannel('wrap-up', ch)).toBe(true);
    }
    expect(acceptsChannel('busy', 'voice')).toBe(false);
    expect(acceptsChannel('wrap-up', 'voice')).toBe(false);
    expect(acceptsChannel('away', 'sms')).toBe(false);
    expect(acceptsChannel('offline', 'sms')).toBe(false);
    expect(chooseAgent(conv('v', { channel: 'voice' }), [agent('a', { presence: 'busy' })])).toBeUndefined();
  });

  it('sticky: the preferred agent wins over a more skilled one, if eligible; otherwise normal routing', () => {
    const c = conv('c', { preferredAgentId: 'low' });
    const low = agent('low', { levels: { donor: 1 } });
    const high = agent('high', { levels: { donor: 5 } });
    expect(chooseAgent(c, [high, low])?.id).toBe('low');
    expect(chooseAgent(c, [high, { ...low, free: { ...low.free, sms: 0 } }])?.id).toBe('high');
    expect(chooseAgent(c, [high, { ...low, presence: 'away' }])?.id).toBe('high');
  });

  it('escalated work reaches overflow agents at their overflow skill', () => {
    const c = conv('c', { extraQueues: ['overflow'] });
    const ov = agent('ov', { levels: { overflow: 4 } });
    expect(chooseAgent(conv('plain'), [ov])).toBeUndefined();
    expect(chooseAgent(c, [ov])?.id).toBe('ov');
    // Direct skill in the queue counts over the overflow skill.
    expect(chooseAgent(c, [ov, agent('d', { levels: { donor: 1 } })])?.id).toBe('d');
  });

  it('opens only lanes some agent can take now', () => {
    const lanes = openLanes([
      agent('a', { presence: 'busy', levels: { donor: 3 }, free: { voice: 1, sms: 1, email: 0, slack: 0 } }),
      agent('b', { levels: { it: 3 }, free: { voice: 0, sms: 0, email: 1, slack: 0 } }),
    ]);
    expect(lanes.map((l) => `${l.queueKey}/${l.channel}`).sort()).toEqual(['donor/sms', 'it/email']);
  });

  it('escalation fires due steps once, accumulating wait, and never raises above crisis', () => {
    const plan = [
      { afterSeconds: 120, raisePriority: 50 },
      { afterSeconds: 60, addQueues: ['overflow'] },
      { afterSeconds: 300, notifySupervisors: true, raisePriority: 500 },
    ];
    const start = { priority: 10, escalationStep: 0, overflowQueues: [] as string[] };
    expect(escalate(start, plan, 59, 99).fired).toEqual([]);
    const a = escalate(start, plan, 61, 99);
    expect(a).toMatchObject({ fired: [0], step: 1, overflowQueues: ['overflow'], priority: 10, notifySupervisors: false });
    const b = escalate({ priority: a.priority, escalationStep: a.step, overflowQueues: a.overflowQueues }, plan, 130, 99);
    expect(b).toMatchObject({ fired: [1], step: 2, priority: 60 });
    // Found late (after a restart): every owed step at once; the raise stops below crisis (100).
    const late = escalate(start, plan, 1000, 99);
    expect(late).toMatchObject({ fired: [0, 1, 2], step: 3, priority: 99, notifySupervisors: true });
    expect(escalate({ ...start, escalationStep: 3 }, plan, 5000, 99).fired).toEqual([]);
    expect(priorityCeiling(10, [10, 100, 10])).toBe(99);
    expect(priorityCeiling(100, [10, 100])).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('sets away after K lapses in a row only when available', () => {
    expect(shouldSetAway('available', 3, 3)).toBe(true);
    expect(shouldSetAway('available', 2, 3)).toBe(false);
    expect(shouldSetAway('busy', 9, 3)).toBe(false);
  });

  it('service level and abandon rate as percentages; null without traffic', () => {
    expect(percent(3, 4)).toBe(75);
    expect(percent(1, 3)).toBe(33.3);
    expect(percent(0, 0)).toBeNull();
  });

  it('business hours in the queue time zone, with holidays', () => {
    const hours = { timezone: 'America/New_York', open: [{ day: 1, from: '09:00', to: '17:00' }], holidays: ['2026-01-12'] };
    expect(isOpen(hours, new Date('2026-01-05T15:00:00Z'))).toBe(true); // Monday 10:00 in New York
    expect(isOpen(hours, new Date('2026-01-05T23:00:00Z'))).toBe(false); // 18:00
    expect(isOpen(hours, new Date('2026-01-06T15:00:00Z'))).toBe(false); // Tuesday
    expect(isOpen(hours, new Date('2026-01-12T15:00:00Z'))).toBe(false); // holiday
    expect(isOpen(null, new Date())).toBe(true);
  });

  it('property: a plan never exceeds free capacity, offers each conversation once, and is oldest-first within a priority', () => {
    const channels: Channel[] = ['voice', 'sms', 'email', 'slack'];
    const queuesArb = fc.constantFrom('donor', 'it', 'crisis');
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            presence: fc.constantFrom('available', 'busy', 'wrap-up', 'away' as const),
            queues: fc.uniqueArray(queuesArb, { minLength: 1, maxLength: 3 }),
            level: fc.integer({ min: 1, max: 5 }),
            free: fc.record({ voice: fc.nat(1), sms: fc.nat(3), email: fc.nat(5), slack: fc.nat(3) }),
            idle: fc.option(fc.integer({ min: 0, max: 1000 })),
          }),
          { maxLength: 8 },
        ),
        fc.array(
          fc.record({
            queue: queuesArb,
            channel: fc.constantFrom(...channels),
            priority: fc.constantFrom(10, 100),
            t: fc.integer({ min: 0, max: 500 }),
          }),
          { maxLength: 30 },
        ),
        (agentSpecs, convSpecs) => {
          const pool = agentSpecs.map((s, i) =>
            agent(`a${i}`, {
              presence: s.presence,
              levels: Object.fromEntries(s.queues.map((q) => [q, s.level])),
              free: s.free,
              lastOfferedAt: s.idle === null ? null : at(s.idle),
            }),
          );
          const waiting = convSpecs.map((s, i) =>
            conv(`c${String(i).padStart(3, '0')}`, { queueKey: s.queue, channel: s.channel, priority: s.priority, queuedAt: at(s.t) }),
          );
          const plan = planOffers(waiting, pool, new Map(), T0);
          const ids = plan.map((p) => p.conversation.id);
          expect(new Set(ids).size).toBe(ids.length);
          for (const a of pool) {
            for (const ch of channels) {
              const used = plan.filter((p) => p.agent.id === a.id && p.conversation.channel === ch).length;
              expect(used).toBeLessThanOrEqual(a.free[ch]);
              if (used > 0) expect(acceptsChannel(a.presence, ch)).toBe(true);
            }
          }
          for (const p of plan) expect(p.agent.levels[p.conversation.queueKey]).toBeDefined();
          // Oldest first: a conversation left waiting is never older than one of the same lane and priority that got an agent,
          // when every agent who could take the lane had room for both.
          const offered = new Set(ids);
          for (const c of waiting) {
            if (offered.has(c.id)) continue;
            const someoneCould = pool.some(
              (a) => a.levels[c.queueKey] !== undefined && a.free[c.channel] > 0 && acceptsChannel(a.presence, c.channel),
            );
            if (!someoneCould) continue;
            for (const d of waiting) {
              if (!offered.has(d.id) || d.queueKey !== c.queueKey || d.channel !== c.channel || d.priority !== c.priority) continue;
              expect(d.queuedAt.getTime()).toBeLessThanOrEqual(c.queuedAt.getTime());
            }
          }
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
});
