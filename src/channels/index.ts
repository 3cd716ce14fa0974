import type { ChannelModule } from './module.js';
import { emailChannel } from './email/index.js';
import { slackChannel } from './slack/index.js';
import { smsChannel } from './sms/index.js';
import { voiceChannel } from './voice/index.js';

/** Every channel Switchboard speaks. Add a channel by adding its module here. */
export const CHANNEL_MODULES: ChannelModule[] = [smsChannel, emailChannel, slackChannel, voiceChannel];
