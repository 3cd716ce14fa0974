import { connectCallToAgent } from '../../core/calls/connect-call-to-agent.js';
import { SWEEP_INTERVAL_SECONDS, sweepStaleCalls } from '../../core/calls/sweep-stale-calls.js';
import { PermanentSendError } from '../../core/conversations/deliver-message.js';
import { addOpenApiPaths } from '../../http/openapi.js';
import { flowsFrom } from '../../ivr/load-flows.js';
import type { ChannelModule } from '../module.js';
import { voiceApiRouter } from './api.js';
import { twilioCallControl } from './call-control.js';
import { VOICE_OPENAPI } from './openapi.js';
import { voiceRouter } from './router.js';

addOpenApiPaths(VOICE_OPENAPI);

/**
 * Calls: the IVR flows (ivr-flows/*.yaml, validated when this module is built,
 * so a bad flow stops start-up), Twilio's voice webhooks, Twilio's REST API as
 * the core's call control, and the desk's call controls. What happens to a
 * call is decided in `core/calls`.
 */
export const voiceChannel: ChannelModule = {
  name: 'voice',
  callControl(deps, vendors) {
    // Loaded first, in every role and configuration: a bad flow stops start-up.
    const flows = flowsFrom(deps.config.ivrFlowsDir);
    return vendors.twilio ? twilioCallControl(deps.config, vendors.twilio, flows) : null;
  },
  senders(deps) {
    if (!deps.calls) return {};
    return {
      voice: {
        async send() {
          throw new PermanentSendError('a call cannot carry a text message');
        },
        // An agent accepted a call: the caller meets them in the conversation's conference.
        onAssigned: (conversation, agentId) => connectCallToAgent(deps, conversation, agentId),
      },
    };
  },
  async start(deps) {
    if (!deps.calls) return { stop: async () => {} };
    const timer = setInterval(() => {
      sweepStaleCalls(deps).catch((err: unknown) => deps.log.warn({ err }, 'stale call sweep failed'));
    }, SWEEP_INTERVAL_SECONDS * 1000);
    timer.unref();
    return { stop: async () => clearInterval(timer) };
  },
  routers(deps) {
    return [voiceRouter(deps, flowsFrom(deps.config.ivrFlowsDir)), voiceApiRouter(deps)];
  },
};
