import { hash, verify } from 'argon2';
import { retryAfter } from '../errors.js';

/**
 * Password hashing with a bound on how many argon2 runs this process does at once.
 *
 * Each argon2 run takes ~50 ms of a CPU and 64 MB; a flood of logins (each unknown email
 * still costs a hash, so timing does not tell which emails exist) would otherwise occupy
 * every libuv thread and CPU and stall webhooks. Callers beyond the bound wait in line; when
 * the line is long, they get 503 at once rather than queueing into the webhook timeouts.
 * Per process on purpose: the bound protects this process's CPU.
 */
export type HashLimiter = {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Runs in flight and waiting (for metrics and tests). */
  stats(): { running: number; waiting: number; maxRunning: number };
};

export function createHashLimiter(concurrency: number, maxWaiting = concurrency * 32): HashLimiter {
  let running = 0;
  let maxRunning = 0;
  const waiting: (() => void)[] = [];
  // A finishing run hands its slot straight to the next in line, so a newcomer cannot slip in between.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };
  return {
    async run(task) {
      if (running >= concurrency) {
        if (waiting.length >= maxWaiting) throw retryAfter('unavailable', 'too many sign-ins at once; try again shortly', 2);
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        running += 1;
      }
      maxRunning = Math.max(maxRunning, running);
      try {
        return await task();
      } finally {
        release();
      }
    },
    stats: () => ({ running, waiting: waiting.length, maxRunning }),
  };
}

let limiter = createHashLimiter(2);

/** Sets this process's bound (PASSWORD_HASH_CONCURRENCY); called once at start. */
export function configurePasswordHashing(concurrency: number) {
  limiter = createHashLimiter(concurrency);
}

export const passwordHashStats = () => limiter.stats();

export const hashPassword = (password: string) => limiter.run(() => hash(password));

export const verifyPassword = (passwordHash: string, password: string) =>
  limiter.run(async () => {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false; // a malformed stored hash (e.g. an SSO-only agent's placeholder) never matches
    }
  });
