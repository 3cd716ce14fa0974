import { WebClient } from '@slack/web-api';
import type { Config } from '../../config.js';

/** The real Web API client; SLACK_API_URL points it at another base URL (a local simulator in tests). */
export function createSlackClient(config: Config): WebClient | undefined {
  if (!config.slack.botToken) return undefined;
  return new WebClient(config.slack.botToken, {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    // A couple of quick retries; the send job retries further with its own backoff.
    retryConfig: { retries: 2, factor: 1.5, minTimeout: 200, maxTimeout: 2000 },
  });
}

export type SlackIdentity = { botUserId: string; botId?: string; teamId?: string };

/**
 * Who the bot is (auth.test), asked once and remembered; a failure is not
 * remembered, so a Slack outage at start does not break the channel for good.
 */
export function botIdentity(client: WebClient): () => Promise<SlackIdentity> {
  let pending: Promise<SlackIdentity> | undefined;
  return () =>
    (pending ??= client.auth.test().then(
      (r) => ({
        botUserId: String(r.user_id),
        botId: r.bot_id ? String(r.bot_id) : undefined,
        teamId: r.team_id ? String(r.team_id) : undefined,
      }),
      (err: unknown) => {
        pending = undefined;
        throw err;
      },
    ));
}
