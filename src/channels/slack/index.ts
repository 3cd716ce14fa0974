import type { ChannelModule } from '../module.js';
import { createSlackApp } from './bolt-app.js';
import { createSlackClient } from './client.js';
import { slackSender } from './send.js';

/** Slack: a Bolt app on our own express server at /slack/events, replies through the Web API. */
export const slackChannel: ChannelModule = {
  name: 'slack',
  senders(deps) {
    const client = createSlackClient(deps.config);
    return client ? { slack: slackSender(deps, client) } : {};
  },
  routers(deps) {
    const client = createSlackClient(deps.config);
    const secret = deps.config.slack.signingSecret;
    if (!client || !secret) return [];
    return [createSlackApp(deps, client, secret).router()];
  },
};
