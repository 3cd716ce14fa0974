import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startScenario, type Scenario } from './fault/cluster.js';
import { connectAgentSocket, type AgentSocket } from './helpers/harness.js';

/**
 * Two web processes (real `ROLE=web` processes on one Postgres and one Redis, TRUST_PROXY unset):
 * failed logins counted on either process add up, a forged X-Forwarded-For changes nothing, and a
 * deactivation on one process closes the agent's socket held by the other.
 */
let sc: Scenario;
const sockets: AgentSocket[] = [];
beforeAll(async () => {
  sc = await startScenario('access-cluster', { webs: 2, workers: 0 });
}, 120_000);
afterAll(async () => {
  for (const s of sockets) s.close();
  await sc?.stop();
});

async function login(url: string, email: string, password: string, forwardedFor: string) {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ email, password }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
}

async function createAgent(name: string) {
  const email = `${name.toLowerCase()}.${Date.now()}@example.org`;
  const r = await api(
    sc.webs[0].url,
    'POST',
    '/api/agents',
    { email, name, password: 'agent-password-1', role: 'agent', queues: ['donor'] },
    sc.adminToken,
  );
  expect(r.status).toBe(201);
  return { id: r.body.agent.id as string, email };
}

describe('two web processes', () => {
  it('share the login throttle; the client address is the connection’s, whatever X-Forwarded-For says', async () => {
    const [a, b] = sc.webs as [Scenario['webs'][0], Scenario['webs'][0]];
    const dana = await createAgent('Dana');
    const sam = await createAgent('Sam');
    // Sam signs in before the flood and keeps a desk socket on process B.
    const samLogin = await login(b.url, sam.email, 'agent-password-1', '203.0.113.1');
    expect(samLogin.status).toBe(200);
    const samSocket = await connectAgentSocket(b.url, samLogin.body.token);
    sockets.push(samSocket);

    // Ten wrong passwords, alternating processes, each claiming another address.
    for (let i = 0; i < 10; i++) {
      const r = await login(i % 2 ? b.url : a.url, dana.email, `wrong-${i}`, `203.0.113.${100 + i}`);
      expect(r.status).toBe(401);
    }
    // Refused on both processes, even with the right password and yet another claimed address.
    for (const web of [a, b]) {
      const r = await login(web.url, dana.email, 'agent-password-1', '198.51.100.77');
      expect(r.status).toBe(429);
      expect(Number(r.retryAfter)).toBeGreaterThan(0);
    }
    // The address (the real one: all of this came from 127.0.0.1) is refused for any email too.
    expect((await login(a.url, sam.email, 'agent-password-1', '198.51.100.78')).status).toBe(429);

    // Deactivating Sam through process A closes the socket Sam holds on process B, and B refuses the token.
    const closed = new Promise<string>((resolve) => samSocket.socket.once('disconnect', (reason) => resolve(reason)));
    const off = await api(a.url, 'PATCH', `/api/agents/${sam.id}`, { active: false }, sc.adminToken);
    expect(off.status).toBe(200);
    expect(await closed).toBe('io server disconnect');
    expect((await api(b.url, 'GET', '/api/me', undefined, samLogin.body.token)).status).toBe(401);
  }, 90_000);
});
