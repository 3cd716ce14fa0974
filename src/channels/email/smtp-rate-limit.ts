import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Inbound mail per sender address and per client IP, counted in Redis so every web process
 * shares one count (a flood spread over several MX hosts is still one flood). Fixed one-hour
 * windows: a sender over the limit gets a temporary refusal (450) and a real MTA retries later.
 * Addresses are hashed: Redis never holds them.
 */
export type SmtpRateLimiter = {
  /** Counts one mail; returns what is over its limit ('sender' | 'client'), or null to accept. */
  admit(sender: string, clientIp: string): Promise<'sender' | 'client' | null>;
};

// KEYS: counters · ARGV: window seconds, then one limit per key (0 = none) · returns the 1-based index of the first key over its limit, or 0
const COUNT = `
local over = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[i + 1])
  if limit > 0 then
    local n = redis.call('INCR', key)
    if n == 1 then redis.call('EXPIRE', key, tonumber(ARGV[1])) end
    if n > limit and over == 0 then over = i end
  end
end
return over
`;

const WINDOW_SECONDS = 3600;
/** Redis slower than this (or down) must not hold mail up: the mail is admitted. */
const REDIS_WAIT_MS = 500;

const hash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

export function smtpRateLimiter(
  redis: Redis,
  prefix: string,
  limits: { perSender: number; perClient: number },
  onError: (err: unknown) => void,
): SmtpRateLimiter {
  return {
    async admit(sender, clientIp) {
      if (!limits.perSender && !limits.perClient) return null;
      const windowId = Math.floor(Date.now() / 1000 / WINDOW_SECONDS);
      const keys = [
        `${prefix}:smtp:sender:${hash(sender.toLowerCase())}:${windowId}`,
        `${prefix}:smtp:client:${hash(clientIp)}:${windowId}`,
      ];
      let timer: NodeJS.Timeout | undefined;
      try {
        const over = await Promise.race([
          redis.eval(COUNT, keys.length, ...keys, WINDOW_SECONDS, limits.perSender, limits.perClient) as Promise<number>,
          new Promise<number>((resolve) => {
            timer = setTimeout(() => resolve(0), REDIS_WAIT_MS);
          }),
        ]);
        return over === 1 ? 'sender' : over === 2 ? 'client' : null;
      } catch (err) {
        onError(err);
        return null;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
