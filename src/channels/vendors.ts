import type { WebClient } from '@slack/web-api';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config.js';
import { createSlackClient } from './slack/client.js';
import { createTwilioClient, type TwilioClient } from './twilio/client.js';

/**
 * The vendor clients the channels translate into: the real `twilio`,
 * `@slack/web-api` and nodemailer clients, or the built-in sandbox's
 * stand-ins behind the very same client interfaces (src/sandbox). Chosen
 * once, when Switchboard is wired; channels never ask which they got.
 */
export type VendorClients = {
  /** Messages, calls and conferences; null when no telephony vendor is configured. */
  twilio: TwilioClient | null;
  slack: WebClient | undefined;
  /** Outbound mail; undefined when SMTP_URL is not set. */
  mail: Transporter | undefined;
};

export function realVendorClients(config: Config): VendorClients {
  return {
    twilio: createTwilioClient(config.twilio),
    slack: createSlackClient(config),
    mail: config.mail.smtpUrl ? nodemailer.createTransport(config.mail.smtpUrl) : undefined,
  };
}
