import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { io as ioClient } from 'socket.io-client';
import { createHashLimiter } from '../src/core/auth/passwords.js';
import { addressKey } from '../src/core/auth/login-throttle.js';
import { createRedisLoginThrottle } from '../src/http/login-throttle.js';
import { ADMIN, eventually, randomPhone, startTestApp, TEST_REDIS_URL, type TestApp } from './helpers/harness.js';

/**
 * Sign-in and sessions in one process: throttling by email and by address (TRUST_PROXY=1 here,
 * so each test picks its client address with X-Forwarded-For), refresh cookies, revocation by
 * deactivation and password change. test/access-cluster.test.ts does the same across processes.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('access-sessions', { TRUST_PROXY: '1', ACCESS_TOKEN_TTL_SECONDS: '120' });
});
afterAll(async () => {
  await app?.stop();
});

let nextAddress = 10;
const freshAddress = () => `198.51.100.${nextAddress++}`;

async function login(body: Record<string, unknown>, from: string) {
  const res = await fetch(`${app.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

const refreshCookie = (headers: Headers) =>
  headers
    .getSetCookie()
    .find((c) => c.startsWith('sb_refresh='))
    ?.split(';')[0];

async function refresh(opts: { cookie?: string; token?: string }) {
  const headers: Record<string, string> = {};
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(`${app.url}/api/auth/refresh`, { method: 'POST', headers });
  return { status: res.status, body: await res.json() };
}

/** The error a socket handshake gets (no reconnection attempts). */
async function handshakeError(token: string): Promise<string> {
  const s = ioClient(app.url, { path: '/socket.io', auth: { token }, transports: ['websocket'], reconnection: false });
  try {
    return await new Promise<string>((resolve) => {
      s.once('connect', () => resolve('connected'));
      s.once('connect_error', (err) => resolve(err.message));
    });
  } finally {
    s.close();
  }
}

const audit = async (query: string) => (await app.api('GET', `/api/audit?${query}`)).body.entries as any[];

describe('login throttling', () => {
  it('after 10 failures for one email, the 11th attempt gets 429 with Retry-After, even with the right password and from elsewhere', async () => {
    const dana = await app.agent({ name: 'Dana Throttled', available: false });
    for (let i = 0; i < 10; i++) {
      const r = await login({ email: dana.email, password: `wrong-${i}` }, freshAddress());
      expect(r.status).toBe(401);
    }
    const blocked = await login({ email: dana.email, password: 'agent-password-1' }, freshAddress());
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('too_many_requests');
    const wait = Number(blocked.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(800);
    expect(wait).toBeLessThanOrEqual(900);
    // The email's case does not matter; another agent from another address is not affected.
    expect((await login({ email: dana.email.toUpperCase(), password: 'agent-password-1' }, freshAddress())).status).toBe(429);
    const sam = await app.agent({ name: 'Sam Unaffected', available: false });
    expect((await login({ email: sam.email, password: 'agent-password-1' }, freshAddress())).status).toBe(200);

    const locked = await audit(`action=auth.login_locked&target=agent:${dana.id}`);
    expect(locked).toHaveLength(1);
    expect(locked[0].details).toMatchObject({ by: 'email', email: dana.email });
    expect(await audit(`action=auth.login_failed&target=agent:${dana.id}`)).toHaveLength(10);
  });

  it('after 10 failures from one address, that address is refused for every email; others are not', async () => {
    const from = freshAddress();
    for (let i = 0; i < 10; i++) {
      expect((await login({ email: `nobody${i}@example.org`, password: 'guess' }, from)).status).toBe(401);
    }
    expect((await login({ email: ADMIN.email, password: ADMIN.password }, from)).status).toBe(429);
    expect((await login({ email: ADMIN.email, password: ADMIN.password }, freshAddress())).status).toBe(200);
    const locked = await audit('action=auth.login_locked');
    expect(locked.some((e) => e.ip === from && e.details.by === 'address')).toBe(true);
    // Unknown emails are audited by the address they tried.
    expect((await audit('action=auth.login_failed&target=email:nobody3@example.org'))[0]).toMatchObject({ ip: from, actorId: null });
  });

  it('a burst of parallel guesses cannot pass the limit while their hashes run', async () => {
    const victim = await app.agent({ name: 'Victim Burst', available: false });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => login({ email: victim.email, password: `burst-${i}` }, freshAddress())),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
  });

  it('an IPv6 client is counted by its /64', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
  });

  it('the window slides: failures older than the window stop counting', async () => {
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const t = createRedisLoginThrottle(redis, app.config.redisPrefix, { maxFailures: 3, windowSeconds: 1 });
      const keys = ['email:slide'];
      for (let i = 0; i < 3; i++) {
        const a = await t.begin(keys);
        expect(a.allowed).toBe(true);
        if (a.allowed) await t.failed(keys, a.ticket);
      }
      const refused = await t.begin(keys);
      expect(refused).toEqual({ allowed: false, retryAfterSeconds: 1 });
      const admitted = await eventually(async () => {
        const a = await t.begin(keys);
        return a.allowed ? a : null;
      });
      // A success does not count.
      await t.withdraw(keys, admitted.ticket);
      expect((await t.begin(keys)).allowed).toBe(true);
    } finally {
      redis.disconnect();
    }
  });

  it('password hashing runs at most N at once; a long line is turned away with 503', async () => {
    const limiter = createHashLimiter(2, 5);
    let running = 0;
    let peak = 0;
    const task = async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 20));
      running -= 1;
    };
    const settled = await Promise.allSettled(Array.from({ length: 10 }, () => limiter.run(task)));
    expect(peak).toBe(2);
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(7); // 2 running + 5 waiting
    const refused = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'unavailable', status: 503 });
  });
});

describe('sessions and revocation', () => {
  it('the refresh cookie renews the access token; it is httpOnly, SameSite=Strict, scoped to /api/auth', async () => {
    const dana = await app.agent({ name: 'Dana Refresh', available: false });
    const r = await login({ email: dana.email, password: 'agent-password-1' }, freshAddress());
    expect(r.body.expiresIn).toBe(120);
    const setCookie = r.headers.getSetCookie().find((c) => c.startsWith('sb_refresh='))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\/api\/auth/);
    expect(setCookie).toMatch(/Secure/); // PUBLIC_URL is https in the tests
    const renewed = await refresh({ cookie: refreshCookie(r.headers) });
    expect(renewed.status).toBe(200);
    expect((await app.api('GET', '/api/me', undefined, renewed.body.token)).body.agent.id).toBe(dana.id);
    // The refresh token is not an access token, and an access token is not a refresh cookie.
    const refreshToken = refreshCookie(r.headers)!.split('=')[1];
    expect((await app.api('GET', '/api/me', undefined, refreshToken)).status).toBe(401);
    expect((await refresh({ cookie: `sb_refresh=${r.body.token}` })).status).toBe(401);
    expect(await audit(`action=auth.refresh&actor=${dana.id}`)).toHaveLength(1);
  });

  it('deactivation: tokens refused at once, sockets closed, refresh and login refused, offers withdrawn; reactivation restores', async () => {
    const dana = await app.agent({ name: 'Dana Leaving', queues: ['partner'] });
    const r = await login({ email: dana.email, password: 'agent-password-1' }, freshAddress());
    const cookie = refreshCookie(r.headers);
    const sock = await app.socket(dana.token);
    const disconnected = new Promise<string>((resolve) => sock.socket.once('disconnect', (reason) => resolve(reason)));

    const res = await app.api('PATCH', `/api/agents/${dana.id}`, { active: false });
    expect(res.status).toBe(200);
    expect(res.body.agent).toMatchObject({ active: false, presence: 'offline' });
    expect(await disconnected).toBe('io server disconnect');
    expect((await app.api('GET', '/api/me', undefined, dana.token)).status).toBe(401);
    expect((await app.api('GET', '/api/me', undefined, r.body.token)).status).toBe(401);
    expect((await refresh({ cookie })).status).toBe(401);
    expect((await refresh({ token: dana.token })).status).toBe(401);
    const again = await login({ email: dana.email, password: 'agent-password-1' }, freshAddress());
    expect(again.status).toBe(401);
    expect(again.body.error.message).toMatch(/deactivated/);
    // A new socket is refused too, and a supervisor cannot make the agent available.
    expect(await handshakeError(dana.token)).toMatch(/deactivated/);
    expect((await app.api('PUT', `/api/agents/${dana.id}/status`, { status: 'available' })).status).toBe(409);

    const entry = (await audit(`action=agent.deactivate&target=agent:${dana.id}`))[0];
    expect(entry.details.before).toMatchObject({ active: true });
    expect(entry.details.after).toMatchObject({ active: false, presence: 'offline' });
    expect(entry.actorId).toBeTruthy();

    expect((await app.api('PATCH', `/api/agents/${dana.id}`, { active: true })).body.agent.active).toBe(true);
    expect((await login({ email: dana.email, password: 'agent-password-1' }, freshAddress())).status).toBe(200);
    // Old tokens stay dead after reactivation: the version moved on.
    expect((await app.api('GET', '/api/me', undefined, dana.token)).status).toBe(401);
    expect(await audit(`action=agent.reactivate&target=agent:${dana.id}`)).toHaveLength(1);
  });

  it('a deactivated agent has its live offers withdrawn', async () => {
    const ana = await app.agent({ name: 'Ana Offered', queues: ['donor'] });
    const sock = await app.socket(ana.token);
    const phone = randomPhone();
    await app.sms(phone, 'I need a receipt');
    const offer = await sock.waitFor('reservation.created');
    await app.api('PATCH', `/api/agents/${ana.id}`, { active: false });
    const conv = await eventually(async () => {
      const c = (await app.api('GET', `/api/conversations/${offer.conversationId}`)).body.conversation;
      return c.status === 'waiting' ? c : null;
    });
    expect(conv.assigneeId).toBeNull();
  });

  it('an admin cannot deactivate themselves', async () => {
    const me = (await app.api('GET', '/api/me')).body.agent;
    expect((await app.api('PATCH', `/api/agents/${me.id}`, { active: false })).status).toBe(400);
  });

  it('changing one’s password: other tokens and the old refresh cookie stop working, sockets close, the caller carries on', async () => {
    const lee = await app.agent({ name: 'Lee Password', available: false });
    const other = await login({ email: lee.email, password: 'agent-password-1' }, freshAddress());
    const sock = await app.socket(other.body.token);
    const closed = new Promise<void>((resolve) => sock.socket.once('disconnect', () => resolve()));

    const wrong = await app.api('PUT', '/api/me/password', { current: 'nope-nope', password: 'new-password-22' }, lee.token);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/current/);
    const short = await app.api('PUT', '/api/me/password', { current: 'agent-password-1', password: 'short' }, lee.token);
    expect(short.status).toBe(400);

    const changed = await app.api('PUT', '/api/me/password', { current: 'agent-password-1', password: 'new-password-22' }, lee.token);
    expect(changed.status).toBe(200);
    await closed;
    expect((await app.api('GET', '/api/me', undefined, changed.body.token)).status).toBe(200);
    expect((await app.api('GET', '/api/me', undefined, lee.token)).status).toBe(401);
    expect((await app.api('GET', '/api/me', undefined, other.body.token)).status).toBe(401);
    expect((await refresh({ cookie: refreshCookie(other.headers) })).status).toBe(401);
    expect((await login({ email: lee.email, password: 'agent-password-1' }, freshAddress())).status).toBe(401);
    expect((await login({ email: lee.email, password: 'new-password-22' }, freshAddress())).status).toBe(200);
    expect(await audit(`action=auth.password_changed&actor=${lee.id}`)).toHaveLength(1);
  });

  it('an admin resetting a password revokes the agent’s tokens', async () => {
    const kim = await app.agent({ name: 'Kim Reset', available: false });
    const res = await app.api('PATCH', `/api/agents/${kim.id}`, { password: 'reset-by-admin-1' });
    expect(res.status).toBe(200);
    expect((await app.api('GET', '/api/me', undefined, kim.token)).status).toBe(401);
    const entry = (await audit(`action=agent.update&target=agent:${kim.id}`))[0];
    expect(entry.details.passwordChanged).toBe(true);
    expect(JSON.stringify(entry.details)).not.toContain('reset-by-admin-1');
  });

  it('logout clears the refresh cookie', async () => {
    const r = await login({ email: ADMIN.email, password: ADMIN.password }, freshAddress());
    const res = await fetch(`${app.url}/api/auth/logout`, { method: 'POST', headers: { cookie: refreshCookie(r.headers)! } });
    expect(res.status).toBe(204);
    expect(res.headers.getSetCookie().join()).toMatch(/sb_refresh=;.*Expires=Thu, 01 Jan 1970/);
  });
});
