import { addOpenApiPaths } from '../../http/openapi.js';
import type { ChannelModule } from '../module.js';
import { createSlackApp } from './bolt-app.js';
import { slackSender } from './send.js';

/** Slack: a Bolt app on our own express server at /slack/events, replies through the Web API. */
export const slackChannel: ChannelModule = {
  name: 'slack',
  senders(deps, vendors) {
    return vendors.slack ? { slack: slackSender(deps, vendors.slack) } : {};
  },
  routers(deps, vendors) {
    const client = vendors.slack;
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
          'application/json': {
            schema: {
              type: 'object',
              description: 'event_callback or url_verification',
              required: ['type'],
              properties: {
                type: { enum: ['event_callback', 'url_verification'] },
                event_id: { type: 'string' },
                team_id: { type: 'string' },
                challenge: { type: 'string' },
                event: {
                  type: 'object',
                  required: ['type'],
                  properties: {
                    type: { enum: ['message', 'app_mention'] },
                    subtype: { type: 'string' },
                    channel: { type: 'string' },
                    channel_type: { enum: ['im', 'channel', 'group', 'mpim'] },
                    user: { type: 'string' },
                    text: { type: 'string' },
                    ts: { type: 'string' },
                    thread_ts: { type: 'string' },
                  },
                },
              },
            },
          },
          'application/x-www-form-urlencoded': {
            schema: {
              type: 'object',
              description: 'slash command fields, or `payload` (JSON) for interactivity (block_actions, view_submission)',
              properties: {
                command: { type: 'string' },
                text: { type: 'string' },
                trigger_id: { type: 'string' },
                user_id: { type: 'string' },
                payload: {
                  type: 'string',
                  description: 'JSON: {type: block_actions | view_submission, user: {id}, view: {id, callback_id, state}}',
                },
              },
            },
          },
        },
      },
      responses: {
        '200': {
          description: 'acknowledged once stored; the challenge for url_verification; modal errors for a bad submission',
        },
        '400': { description: 'signed, but not a payload Slack sends (no event, an interaction without its user or view…)' },
        '403': { description: 'missing or wrong X-Slack-Signature, or X-Slack-Request-Timestamp more than 5 minutes off' },
        '500': { description: 'could not be stored: Slack retries the event (a modal shows the person an error)' },
      },
    },
  },
});
