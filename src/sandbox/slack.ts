import { createHash, randomInt } from 'node:crypto';
import { WebClient, type WebAPICallResult } from '@slack/web-api';
import type { Db } from '../db/client.js';
import { latestSandboxMessage, recordSandboxMessage } from './store.js';

export const SANDBOX_SLACK = { botUserId: 'USANDBOXBOT', botId: 'BSANDBOX', teamId: 'TSANDBOX' } as const;

/** A sandbox Slack user: "Ana Lima" always becomes the same U… id; an id is kept as it is. */
export function sandboxSlackUser(from: string): { id: string; name?: string } {
  const v = from.trim();
  if (/^U[A-Z0-9]{2,}$/.test(v)) return { id: v };
  return { id: `U${createHash('sha256').update(v.toLowerCase()).digest('hex').slice(0, 10).toUpperCase()}`, name: v };
}

/** Our DM with a user, as conversations.open names it (and back). */
export const dmChannelOf = (userId: string) => `D${userId.slice(1)}`;
export const userOfDm = (channel: string) => (/^D/.test(channel) ? `U${channel.slice(1)}` : channel);

/** A message timestamp as Slack writes them: seconds, a dot, six digits; unique enough within a second. */
export const slackTs = () => `${Math.floor(Date.now() / 1000)}.${String(randomInt(1_000_000)).padStart(6, '0')}`;

/**
 * The Slack Web API played in-process: the official client with `apiCall`
 * answered here. What the bot posts is kept in Postgres for the /sandbox
 * screen; users are the ones the sandbox has played.
 */
export class SandboxSlackClient extends WebClient {
  constructor(private readonly db: Db) {
    super('xoxb-sandbox');
  }

  override async apiCall(method: string, options: Record<string, unknown> = {}): Promise<WebAPICallResult> {
    return { ok: true, ...(await this.answer(method, options)) };
  }

  private async answer(method: string, options: Record<string, unknown>): Promise<Record<string, unknown>> {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          user_id: SANDBOX_SLACK.botUserId,
          bot_id: SANDBOX_SLACK.botId,
          team_id: SANDBOX_SLACK.teamId,
          user: 'switchboard',
        };
      case 'users.info': {
        const id = String(options.user);
        const seen = await latestSandboxMessage(this.db, 'slack', id, 'inbound');
        const name = seen?.contactName ?? id;
        return { ok: true, user: { id, name: name.toLowerCase(), real_name: name, profile: { real_name: name, display_name: name } } };
      }
      case 'conversations.open':
        return { ok: true, channel: { id: dmChannelOf(String(options.users).split(',')[0]) } };
      case 'chat.postMessage': {
        const channel = typeof options.channel === 'string' ? options.channel : '';
        const text = typeof options.text === 'string' ? options.text : '';
        if (!channel) return this.refuse(method, 'channel_not_found');
        const ts = slackTs();
        await recordSandboxMessage(this.db, {
          channel: 'slack',
          direction: 'outbound',
          contact: userOfDm(channel),
          inbox: channel,
          body: text,
          externalId: `${channel}:${ts}`,
          status: 'delivered',
          metadata: { ts, threadTs: options.thread_ts ?? null },
        });
        return { ok: true, channel, ts, message: { text, ts, bot_id: SANDBOX_SLACK.botId } };
      }
      case 'views.open':
        return { ok: true, view: { id: `V${slackTs().replace('.', '')}`, ...(options.view as object) } };
      default:
        return { ok: true };
    }
  }

  /** Answers like the real client does on `ok: false`: a thrown platform error carrying `data.error`. */
  private refuse(method: string, error: string): never {
    throw Object.assign(new Error(`An API error occurred: ${error}`), {
      code: 'slack_webapi_platform_error',
      data: { ok: false, error, method },
    });
  }
}
