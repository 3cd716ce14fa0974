import { addOpenApiPaths } from '../../http/openapi.js';
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

addOpenApiPaths({
  '/slack/events': {
    post: {
      summary: 'Slack Events API, slash commands (/helpdesk) and interactivity (modal submissions); v0-signed, 5-minute window',
      tags: ['webhooks'],
      requestBody: {
        required: true,
        content: {
          'application/json': { schema: { type: 'object', description: 'event_callback or url_verification' } },
          'application/x-www-form-urlencoded': {
            schema: { type: 'object', description: 'slash command fields, or `payload` (JSON) for interactivity' },
          },
        },
      },
      responses: {
        '200': {
          description: 'acknowledged once stored; the challenge for url_verification; modal errors for a bad submission',
        },
        '401': { description: 'missing or wrong X-Slack-Signature, or X-Slack-Request-Timestamp more than 5 minutes off' },
        '500': { description: 'could not be stored: Slack retries the event (a modal shows the person an error)' },
      },
    },
  },
});
