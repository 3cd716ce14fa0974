import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { LoginThrottle } from '../core/auth/login-throttle.js';

/**
 * Sliding-window login throttle in Redis, one sorted set of attempt times per key, so every
 * web process counts the same failures. Each script runs atomically: no two processes can
 * both admit the attempt that would pass the limit.
 */
// KEYS: the sets · ARGV: now (ms), window (ms), max, ticket
const BEGIN = `
local now, window, max = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local wait = 0
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local n = redis.call('ZCARD', key)
  if n >= max then
    -- allowed again once enough of the oldest attempts have left the window
    local oldest = redis.call('ZRANGE', key, n - max, n - max, 'WITHSCORES')
    local w = tonumber(oldest[2]) + window - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, window)
end
return 0
`;

// KEYS: the sets · ARGV: max · returns the 1-based indexes of keys now at the limit
const AT_LIMIT = `
local hit = {}
for i, key in ipairs(KEYS) do
  if redis.call('ZCARD', key) >= tonumber(ARGV[1]) then table.insert(hit, i) end
end
return hit
`;

export function createRedisLoginThrottle(
  redis: Redis,
  prefix: string,
  opts: { maxFailures: number; windowSeconds: number },
): LoginThrottle {
  const full = (keys: string[]) => keys.map((k) => `${prefix}:login-throttle:${k}`);
  const windowMs = opts.windowSeconds * 1000;
  return {
    async begin(keys) {
      const ticket = `${Date.now()}:${randomBytes(6).toString('hex')}`;
      const waitMs = Number(await redis.eval(BEGIN, keys.length, ...full(keys), Date.now(), windowMs, opts.maxFailures, ticket));
      return waitMs > 0 ? { allowed: false, retryAfterSeconds: Math.ceil(waitMs / 1000) } : { allowed: true, ticket };
    },
    async failed(keys) {
      const hit = (await redis.eval(AT_LIMIT, keys.length, ...full(keys), opts.maxFailures)) as number[];
      return hit.map((i) => keys[i - 1]);
    },
    async withdraw(keys, ticket) {
      const pipe = redis.pipeline();
      for (const k of full(keys)) pipe.zrem(k, ticket);
      await pipe.exec();
    },
  };
}
