import type { Router } from 'express';
import type { ChannelRegistry, Deps } from '../core/ports.js';

/**
 * What a channel brings to Switchboard. `main` collects the modules; each
 * stays in its own folder and only translates between its vendor and the core.
 */
export type ChannelModule = {
  name: string;
  /** Outbound senders this module provides (only when its vendor is configured). */
  senders?(deps: Omit<Deps, 'channels'>): ChannelRegistry;
  /** Webhook routes, mounted at the app root before the JSON API (they parse their own bodies). */
  routers?(deps: Deps): Router[];
  /** Long-running listeners (an SMTP server…), started in web processes. */
  start?(deps: Deps): Promise<{ stop(): Promise<void> }>;
};
