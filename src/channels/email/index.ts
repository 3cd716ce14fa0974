import type { DNSResolver } from 'mailauth';
import nodemailer from 'nodemailer';
import type { ChannelModule } from '../module.js';
import { attachmentsRouter } from './attachments-router.js';
import { emailSender } from './send.js';
import { startInboundSmtp } from './smtp-inbound.js';
import { threadSigner } from './threading.js';

/**
 * Email: the built-in SMTP server takes mail for INBOUND_EMAIL_DOMAIN, replies
 * go out through SMTP_URL. Either half works without the other.
 */
export const emailChannel: ChannelModule = emailChannelWith();

/** The email module with its DNS lookups (sender authentication) swapped: tests stub DNS this way. */
export function emailChannelWith(opts: { resolver?: DNSResolver } = {}): ChannelModule {
  return {
    name: 'email',
    senders(deps) {
      if (!deps.config.mail.smtpUrl) return {};
      const transport = nodemailer.createTransport(deps.config.mail.smtpUrl);
      return { email: emailSender(deps, transport, threadSigner(deps.config)) };
    },
    routers: (deps) => [attachmentsRouter(deps)],
    async start(deps, ctx) {
      if (!deps.config.mail.inboundDomain) return { stop: async () => {} };
      return startInboundSmtp(deps, threadSigner(deps.config), { redis: ctx.redis, resolver: opts.resolver });
    },
  };
}
