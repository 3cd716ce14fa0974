import type { ChannelModule } from '../module.js';
import { smsRouter } from './router.js';
import { smsSender } from './send.js';

export const smsChannel: ChannelModule = {
  name: 'sms',
  senders(deps, vendors) {
    return vendors.twilio ? { sms: smsSender(vendors.twilio, deps.config) } : {};
  },
  routers: (deps) => [smsRouter(deps)],
};
