import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/harness.js';
import { expectNothingLostOrDoubled, startLoad, startScenario, startTcpProxy, waitAllResolved, type Scenario } from './cluster.js';

let sc: Scenario;
let proxies: Awaited<ReturnType<typeof startTcpProxy>>[] = [];
beforeAll(async () => {
  sc = await startScenario('fault-sigterm', { webs: 2, workers: 1 });
}, 90_000);
afterAll(async () => {
  for (const p of proxies) await p.close();
  await sc?.stop();
});

describe('a web process gets SIGTERM with agents connected, under load', () => {
  it('drains, closes sockets, exits 0; agents reconnect to the other web process and nothing is lost', async () => {
    const [webA, webB] = sc.webs as [(typeof sc.webs)[0], (typeof sc.webs)[0]];
    // The agents' reverse proxy prefers A while it is up (so every agent starts on A); webhooks are balanced.
    const agentsLb = await startTcpProxy(() => [webA.port, webB.port], { mode: 'first-alive' });
    const webhookLb = await startTcpProxy(() => [webA.port, webB.port]);
    proxies = [agentsLb, webhookLb];
    const { contacts, sending, offers } = await startLoad(sc, { agentsUrl: agentsLb.url, webhookUrl: webhookLb.url, gapMs: 40 });

    const termAt = Date.now();
    webA.kill('SIGTERM');
    expect(await webA.exited).toBe(0);
    expect(Date.now() - termAt).toBeLessThan(20_000);
    expect(webA.logs.some((l) => l.includes('"stopped cleanly"'))).toBe(true);

    // Every agent was on A; each reconnected (through the proxy) to B and keeps getting offers.
    await eventually(() => sc.bots.every((b) => b.reconnects >= 1 && b.sock.socket.connected), { timeout: 20_000 });
    const offersAtReconnect = offers();
    await sending;
    expect(contacts.every((c) => c.statuses.at(-1) === 200)).toBe(true);
    await waitAllResolved(sc.databaseUrl, contacts, 60_000);
    expect(offers()).toBeGreaterThan(offersAtReconnect);

    const inv = await expectNothingLostOrDoubled(sc, contacts);
    expect(inv).toMatchObject({
      stuckSends: {},
    });
  }, 170_000);
});
