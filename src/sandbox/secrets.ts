import { createHmac } from 'node:crypto';
import type { Config } from '../config.js';

/** The mail domain the sandbox's contacts write to when INBOUND_EMAIL_DOMAIN is not set (.test never resolves). */
export const SANDBOX_MAIL_DOMAIN = 'sandbox.switchboard.test';
/** Our number in the sandbox when no phone inbox is configured (555-01xx numbers are fictional). */
export const SANDBOX_HOTLINE = '+15555550100';

/** One secret per purpose, derived from JWT_SECRET: every process of an installation computes the same. */
const derive = (config: Config, purpose: string) => createHmac('sha256', config.jwtSecret).update(`sandbox:${purpose}`).digest('hex');

/**
 * The sandbox plays every vendor, so it holds their credentials: where a real one is missing, a sandbox
 * one is filled in. The webhooks then verify the sandbox's signatures exactly as they verify the vendor's
 * (a real token, when configured, is kept and used for both).
 */
export function withSandboxCredentials(config: Config): Config {
  const sid = config.twilio.accountSid ?? `AC${derive(config, 'twilio-sid').slice(0, 32)}`;
  return {
    ...config,
    twilio: {
      ...config.twilio,
      accountSid: sid,
      authToken: config.twilio.authToken ?? derive(config, 'twilio-token').slice(0, 32),
      // The REST calls never leave the process (see twilio.ts); a configured proxy URL must not matter.
      apiUrl: undefined,
    },
    slack: {
      ...config.slack,
      botToken: config.slack.botToken ?? 'xoxb-sandbox',
      signingSecret: config.slack.signingSecret ?? derive(config, 'slack-signing').slice(0, 32),
      apiUrl: undefined,
    },
    mail: { ...config.mail, inboundDomain: config.mail.inboundDomain ?? SANDBOX_MAIL_DOMAIN },
  };
}
