import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { conversations } from '../../src/db/schema.js';
import { randomPhone, type TestApp } from './harness.js';

/** Short timers so presence, wrap-up and lapsed offers play out within a test. */
export const ROUTING_TEST_ENV = {
  WRAP_UP_SECONDS: '1',
  PRESENCE_GRACE_SECONDS: '2',
  MAX_CONSECUTIVE_TIMEOUTS: '2',
  RESERVATION_TIMEOUT_SECONDS: '4',
  STATS_WINDOW_SECONDS: '600',
};

/** Helpers for routing tests; `app` is read lazily (it is started in beforeAll). */
export function routingFixtures(getApp: () => TestApp) {
  let numberSeq = 200;
  return {
    /** A fresh hotline number routed to `queue`. */
    async line(queue: string) {
      const address = `+1500555${String(numberSeq++).padStart(4, '0')}`;
      const r = await getApp().api('POST', '/api/inboxes', { kind: 'phone', address, queue });
      expect(r.status).toBe(201);
      return address;
    },
    /** A text to `to` from a new (or given) number; resolves with the sender. */
    text: (to: string, from = randomPhone(), body = 'hello') =>
      getApp()
        .sms(from, body, { To: to })
        .then(() => from),
    /** A unique queue key with a readable prefix. */
    key: (prefix: string) => `${prefix}${randomBytes(3).toString('hex')}`,
    conv: async (id: string) => (await getApp().sb.deps.db.select().from(conversations).where(eq(conversations.id, id)))[0],
  };
}
