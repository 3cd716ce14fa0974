import { randomUUID } from 'node:crypto';
import { PermanentSendError } from '../../core/conversations/deliver-message.js';
import { addOpenApiPaths } from '../../http/openapi.js';
import { flowsFrom } from '../../ivr/load-flows.js';
import type { ChannelModule } from '../module.js';
import { createTwilioClient } from '../twilio/client.js';
import { voiceApiRouter } from './api.js';
import { bridgeToAgent } from './bridge.js';
import { handleCallStatus } from './lifecycle.js';
import { VOICE_OPENAPI } from './openapi.js';
import { voiceRouter } from './router.js';
import { SWEEP_INTERVAL_SECONDS, sweepStaleCalls } from './sweep.js';

addOpenApiPaths(VOICE_OPENAPI);

/**
 * Calls: the IVR flows (ivr-flows/*.yaml, validated when this module is built,
 * so a bad flow stops start-up), Twilio's voice webhooks, the bridge to the
 * agent's softphone when an offer is accepted, and the desk's call controls.
 */
export const voiceChannel: ChannelModule = {
  name: 'voice',
  senders(deps) {
    const flows = flowsFrom(deps.config.ivrFlowsDir);
    const client = createTwilioClient(deps.config.twilio);
    if (!client) return {};
    return {
      voice: {
        async send() {
          throw new PermanentSendError('a call cannot carry a text message');
        },
        async onAssigned(conversation, agentId) {
          try {
            await bridgeToAgent(deps, client, flows, conversation, agentId);
          } catch (err) {
            deps.log.error({ err: (err as Error).message, conversationId: conversation.id }, 'could not bridge the call to the agent');
            // As if the agent's phone never answered: the caller goes back to the queue (a caller
            // who already hung up is left to their own status callback).
            await handleCallStatus({ ...deps, channels: {} }, client, {
              leg: 'agent',
              conversationId: conversation.id,
              agentId,
              callSid: `bridge-failed-${randomUUID()}`,
              status: 'failed',
            }).catch((e) => deps.log.error({ err: (e as Error).message }, 'could not requeue the call'));
          }
        },
      },
    };
  },
  async start(deps) {
    const client = createTwilioClient(deps.config.twilio);
    if (!client) return { stop: async () => {} };
    const timer = setInterval(() => {
      sweepStaleCalls(deps, client).catch((err) => deps.log.warn({ err: (err as Error).message }, 'stale call sweep failed'));
    }, SWEEP_INTERVAL_SECONDS * 1000);
    timer.unref();
    return { stop: async () => clearInterval(timer) };
  },
  routers(deps) {
    const flows = flowsFrom(deps.config.ivrFlowsDir);
    const client = createTwilioClient(deps.config.twilio);
    return [voiceRouter(deps, flows, client), voiceApiRouter(deps, client)];
  },
};
