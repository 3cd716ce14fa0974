import type { ChannelModule } from '../channels/module.js';
import type { VendorClients } from '../channels/vendors.js';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { sandboxMailTransport } from './mail.js';
import { sandboxRouter } from './router.js';
import { SandboxSlackClient } from './slack.js';
import { startStatusTicker } from './status-ticker.js';
import { sandboxTwilioClient } from './twilio.js';
import type { LocalEndpoints } from './webhook-post.js';

export { withSandboxCredentials } from './secrets.js';
export type { LocalEndpoints } from './webhook-post.js';

/**
 * The built-in sandbox in place of every vendor: the same client interfaces
 * the channels already speak (`twilio`, `@slack/web-api`, a nodemailer
 * transport), answered in-process and kept in Postgres. Config must have
 * been through `withSandboxCredentials`.
 */
export function sandboxVendorClients(config: Config, db: Db): VendorClients {
  return { twilio: sandboxTwilioClient(config, db), slack: new SandboxSlackClient(db), mail: sandboxMailTransport(db) };
}

/** The sandbox's own routes (/api/sandbox) and the delivery reports it posts back, in web processes. */
export function sandboxModule(local: LocalEndpoints): ChannelModule {
  return {
    name: 'sandbox',
    routers: (deps) => [sandboxRouter(deps, local)],
    async start(deps) {
      return startStatusTicker(deps, () => local.httpBase);
    },
  };
}
