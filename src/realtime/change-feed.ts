import type { Redis } from 'ioredis';
import { ADMIN_TABLES, type AdminTable, type ChangeFeed } from '../core/admin-cache.js';
import type { Logger } from '../logger.js';

/** The pub/sub channel on which processes announce admin changes; one per installation (prefix). */
export const changeChannel = (prefix: string) => `${prefix}:admin-changed`;

/**
 * Admin changes announced over Redis pub/sub, so every process drops its copy within
 * milliseconds (`core/admin-cache.ts`). `sub` is a connection of its own (a subscribed
 * connection runs nothing else). Announcements are fire-and-forget: one lost while Redis is
 * away is covered by the copies' time-to-live, and on every (re)subscription everything is
 * dropped, since announcements made meanwhile never arrive.
 */
export function createChangeFeed(pub: Redis, sub: Redis, prefix: string, log: Logger): ChangeFeed & { close(): void } {
  const channel = changeChannel(prefix);
  const listeners: ((table: AdminTable | null) => void)[] = [];
  const tell = (table: AdminTable | null) => listeners.forEach((l) => l(table));
  const known = new Set<string>(ADMIN_TABLES);

  sub.on('message', (ch: string, message: string) => {
    if (ch === channel && known.has(message)) tell(message as AdminTable);
  });
  const subscribe = () => {
    sub.subscribe(channel).then(
      () => tell(null),
      (err: unknown) => log.warn({ err }, 'could not subscribe to admin changes; copies expire by themselves'),
    );
  };
  // ioredis re-subscribes by itself after a reconnect; 'ready' says it may have missed some.
  sub.on('ready', () => tell(null));
  subscribe();

  return {
    announce(table) {
      pub.publish(channel, table).catch((err: unknown) => log.warn({ err, table }, 'could not announce an admin change'));
    },
    onChange(listener) {
      listeners.push(listener);
    },
    close() {
      sub.disconnect();
    },
  };
}
