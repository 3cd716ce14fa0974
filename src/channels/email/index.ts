import type { DNSResolver } from 'mailauth';
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
    senders(deps, vendors) {
      return vendors.mail ? { email: emailSender(deps, vendors.mail, threadSigner(deps.config)) } : {};
    },
    routers: (deps) => [attachmentsRouter(deps)],
    async start(deps, _vendors, ctx) {
      if (!deps.config.mail.inboundDomain) return { stop: async () => {} };
      return startInboundSmtp(deps, threadSigner(deps.config), { redis: ctx.redis, resolver: opts.resolver });
    },
  };
}
