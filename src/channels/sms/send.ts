import type { Config } from '../../config.js';
import type { ChannelSender } from '../../core/ports.js';
import type { TwilioClient } from '../twilio/client.js';

/** Sends a reply as an SMS from the number the contact texted. */
export function smsSender(client: TwilioClient, config: Config): ChannelSender {
  return {
    async send({ message, conversation, to }) {
      const sent = await client.messages.create({
        from: conversation.inboxAddress,
        to,
        body: message.body,
        statusCallback: `${config.publicUrl}/webhooks/twilio/sms/status`,
      });
      return { externalId: sent.sid, status: sent.status ?? 'queued' };
    },
  };
}
