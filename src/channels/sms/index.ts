import type { ChannelModule } from '../module.js';
import { createTwilioClient } from '../twilio/client.js';
import { smsRouter } from './router.js';
import { smsSender } from './send.js';

export const smsChannel: ChannelModule = {
  name: 'sms',
  senders(deps) {
    const client = createTwilioClient(deps.config.twilio);
    return client ? { sms: smsSender(client, deps.config) } : {};
  },
  routers: (deps) => [smsRouter(deps)],
};
