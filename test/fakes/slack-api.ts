import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';

export type SlackCall = { method: string; token: string | undefined; params: Record<string, any> };
export type FakeSlackUser = { id: string; name: string; email?: string };

export type FakeSlack = {
  /** SLACK_API_URL for the real @slack/web-api client. */
  url: string;
  token: string;
  botUserId: string;
  botId: string;
  calls: SlackCall[];
  users: Map<string, FakeSlackUser>;
  /** Delay (ms) before answering users.info, to show work happens after the ack. */
  usersInfoDelayMs: number;
  callsTo(method: string): SlackCall[];
  close(): Promise<void>;
};

/**
 * A local stand-in for the Slack Web API (`POST /api/<method>`), enough for
 * what Switchboard calls. It checks the bot token and records every call.
 */
export async function startFakeSlack(token = 'xoxb-test-token'): Promise<FakeSlack> {
  const app = express();
  let tsCounter = 0;
  let viewCounter = 0;
  const fake: FakeSlack = {
    url: '',
    token,
    botUserId: 'UBOT0001',
    botId: 'BBOT0001',
    calls: [],
    users: new Map(),
    usersInfoDelayMs: 0,
    callsTo: (method) => fake.calls.filter((c) => c.method === method),
    close: async () => {},
  };
  app.post('/api/:method', express.urlencoded({ extended: false }), express.json(), async (req, res) => {
    const method = String(req.params.method);
    const auth = req.get('authorization');
    const params: Record<string, any> = { ...(req.body as Record<string, unknown>) };
    // The client sends nested arguments (views, blocks) as JSON strings in form fields.
    for (const k of ['view', 'blocks', 'attachments']) if (typeof params[k] === 'string') params[k] = JSON.parse(params[k]);
    const callToken = auth?.startsWith('Bearer ') ? auth.slice(7) : (params.token as string | undefined);
    fake.calls.push({ method, token: callToken, params });
    if (callToken !== token) {
      res.json({ ok: false, error: 'invalid_auth' });
      return;
    }
    switch (method) {
      case 'auth.test':
        res.json({
          ok: true,
          url: 'https://test.slack.example/',
          team: 'Test',
          team_id: 'T0001',
          user: 'switchboard',
          user_id: fake.botUserId,
          bot_id: fake.botId,
        });
        return;
      case 'users.info': {
        if (fake.usersInfoDelayMs) await new Promise((r) => setTimeout(r, fake.usersInfoDelayMs));
        const u = fake.users.get(String(params.user));
        if (!u) {
          res.json({ ok: false, error: 'user_not_found' });
          return;
        }
        res.json({
          ok: true,
          user: {
            id: u.id,
            name: u.name.toLowerCase(),
            real_name: u.name,
            profile: { real_name: u.name, display_name: u.name, ...(u.email ? { email: u.email } : {}) },
          },
        });
        return;
      }
      case 'chat.postMessage': {
        if (!params.channel) {
          res.json({ ok: false, error: 'channel_not_found' });
          return;
        }
        const ts = `${Math.floor(Date.now() / 1000)}.${String(++tsCounter).padStart(6, '0')}`;
        res.json({ ok: true, channel: params.channel, ts, message: { text: params.text, ts, bot_id: fake.botId } });
        return;
      }
      case 'conversations.open':
        res.json({ ok: true, channel: { id: `D${String(params.users).replace(/^U/, '')}` } });
        return;
      case 'views.open':
        res.json({ ok: true, view: { id: `V${String(++viewCounter).padStart(6, '0')}`, ...(params.view as object) } });
        return;
      default:
        res.json({ ok: true });
    }
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
