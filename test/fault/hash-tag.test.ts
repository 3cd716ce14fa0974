import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedStores, TEST_REDIS_URL, startTestApp, type TestApp } from '../helpers/harness.js';

/** Redis Cluster's key slot: CRC16 (XMODEM) of the key, or of its {hash tag}, mod 16384. */
function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  let crc = 0;
  for (const byte of Buffer.from(key)) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

const tag = `sbt:hashtag_${randomBytes(4).toString('hex')}`;
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('hash-tag', { REDIS_PREFIX: `{${tag}}` });
});
afterAll(async () => {
  await app?.stop();
  const redis = new Redis(TEST_REDIS_URL);
  const keys = await redis.keys(`{${tag}}*`);
  if (keys.length) await redis.unlink(...keys);
  redis.disconnect();
});

describe('REDIS_PREFIX with a hash tag ({sb}) for Redis Cluster', () => {
  it('puts every key Switchboard creates in one slot, so BullMQ scripts work on a cluster', async () => {
    // The slot function agrees with Redis' documented examples.
    expect(keySlot('somekey')).toBe(11058);
    expect(keySlot('foo{bar}baz')).toBe(keySlot('bar'));

    const agent = await app.agent({ name: 'Tag', queues: ['donor'] });
    const sock = await app.socket(agent.token);
    await app.sms('+15550001111', 'hello');
    const offer = await sock.waitFor('reservation.created');
    expect((await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, agent.token)).status).toBe(200);
    expect((await app.api('POST', `/api/conversations/${offer.conversationId}/messages`, { body: 'hi back' }, agent.token)).status).toBe(
      201,
    );
    // Delivery progress is pushed as message.updated once the reply was stored (message.created).
    await sock.waitFor('message.updated', (p) => p.message.body === 'hi back' && p.message.status === 'queued');

    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`{${tag}}*`);
    redis.disconnect();
    // dispatch, routing, outbound and maintenance queues, the reconcile scheduler, finished jobs…
    expect(keys.some((k) => k.includes(':dispatch:'))).toBe(true);
    expect(keys.some((k) => k.includes(':routing:'))).toBe(true);
    expect(keys.some((k) => k.includes(':outbound:'))).toBe(true);
    expect(keys.some((k) => k.includes(':maintenance:'))).toBe(true);
    expect(new Set(keys.map(keySlot))).toEqual(new Set([keySlot(`{${tag}}`)]));
  });

  it('still refuses a prefix with characters that are not allowed', async () => {
    const { testConfig } = await import('../helpers/harness.js');
    const stores = await isolatedStores('hash-tag-bad');
    expect(() => testConfig({ ...stores, redisPrefix: 'sb prefix' })).toThrow(/REDIS_PREFIX/);
  });
});
