import type { Router } from 'express';
import type { Redis } from 'ioredis';
import type { CallControl, ChannelRegistry, Deps } from '../core/ports.js';
import type { VendorClients } from './vendors.js';

/**
 * What a channel brings to Switchboard. `main` collects the modules; each
 * stays in its own folder and only translates between its vendor and the core.
 * The vendor clients are handed in (real or sandbox, chosen at wiring time).
 */
export type ChannelModule = {
  name: string;
  /**
   * Outbound senders this module provides (only when its vendor is configured).
   * `deps.channels` is filled with every module's senders before any is called.
   */
  senders?(deps: Deps, vendors: VendorClients): ChannelRegistry;
  /** Live call control, from the one module that speaks to a telephony vendor (when it is configured). */
  callControl?(deps: Omit<Deps, 'channels' | 'calls'>, vendors: VendorClients): CallControl | null;
  /** Webhook routes, mounted at the app root before the JSON API (they parse their own bodies). */
  routers?(deps: Deps, vendors: VendorClients): Router[];
  /** Long-running listeners (an SMTP server…), started in web processes; `port` is the one it bound, if any. */
  start?(deps: Deps, vendors: VendorClients, ctx: { redis: Redis }): Promise<{ stop(): Promise<void>; port?: number }>;
};
