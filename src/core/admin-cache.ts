import type { DbOrTx } from '../db/client.js';
import { inboxes, queues, type IdentityKind, type InboxRow, type IncidentRow, type QueueRow } from '../db/schema.js';
import type { AdminTerm } from './crisis/built-in-rules.js';
import { loadAdminTerms } from './crisis/crisis-settings.js';
import { concernsQueues, openIncidents } from './incidents/open-incidents.js';

/**
 * The small admin-managed tables every inbound text reads (its queue, the inbox it came to, the
 * crisis phrases, the open incidents its auto-reply tells of), kept per process: read once, not once per text (docs/routing.md, "Where a
 * text's cost goes"). A write drops the copy in its own process at once and in every other one
 * through the change feed (Redis pub/sub); a copy is also never older than `ADMIN_CACHE_TTL_MS`,
 * for the change whose announcement was lost (Redis away) or that was made by hand in psql.
 */
export type AdminTable = 'queues' | 'inboxes' | 'crisis-terms' | 'incidents';
export const ADMIN_TABLES: readonly AdminTable[] = ['queues', 'inboxes', 'crisis-terms', 'incidents'];

/** How stale a copy may get when no announcement reaches this process. */
export const ADMIN_CACHE_TTL_MS = 1_000;

/** How processes tell each other that an admin table changed (Redis pub/sub in `realtime/change-feed.ts`). */
export type ChangeFeed = {
  announce(table: AdminTable): void;
  /** `null`: the feed reconnected and may have missed announcements, so everything is stale. */
  onChange(listener: (table: AdminTable | null) => void): void;
};

/**
 * The copies an ingest uses, taken before its transaction opens: a read through the pool while
 * holding a transaction's connection could wait forever once every connection is held by such
 * a transaction (seen in a burst of ten concurrent webhooks against a pool of ten).
 */
export type AdminSnapshot = {
  queue(key: string): QueueRow | undefined;
  queues(): QueueRow[];
  inbox(kind: IdentityKind, address: string): InboxRow | undefined;
  /** Open incidents that concern any of these queues (one naming no queue concerns all), newest first. */
  openIncidentsFor(queueKeys: string[]): IncidentRow[];
};

export type AdminCache = {
  /** Queues, inboxes and open incidents (read again only when a copy is stale). Never call it inside a transaction. */
  snapshot(): Promise<AdminSnapshot>;
  /** Apart from the snapshot: failing to read them must not fail an ingest (`readAdminTerms`). */
  crisisTerms(): Promise<AdminTerm[]>;
  /** After a write to `table` committed: dropped here now, and in the other processes through the feed. */
  changed(table: AdminTable): void;
};

type Loaded = {
  queues: Map<string, QueueRow>;
  inboxes: Map<string, InboxRow>;
  'crisis-terms': AdminTerm[];
  incidents: IncidentRow[];
};

const inboxKey = (kind: IdentityKind, address: string) => `${kind}\u0000${address}`;

const LOADERS: { [T in AdminTable]: (db: DbOrTx) => Promise<Loaded[T]> } = {
  queues: async (db) => new Map((await db.select().from(queues)).map((q) => [q.key, q])),
  inboxes: async (db) => new Map((await db.select().from(inboxes)).map((i) => [inboxKey(i.kind, i.address), i])),
  'crisis-terms': loadAdminTerms,
  incidents: openIncidents,
};

export function createAdminCache(db: DbOrTx, feed?: ChangeFeed, opts: { ttlMs?: number } = {}): AdminCache {
  const ttl = opts.ttlMs ?? ADMIN_CACHE_TTL_MS;
  // The promise is kept from the start of the read: texts arriving meanwhile share it, and a
  // change committed meanwhile drops it (the read may have seen the old rows).
  const copies = new Map<AdminTable, { at: number; rows: Promise<unknown> }>();

  function read<T extends AdminTable>(table: T): Promise<Loaded[T]> {
    const now = Date.now();
    const copy = copies.get(table);
    if (copy && now - copy.at < ttl) return copy.rows as Promise<Loaded[T]>;
    const rows = LOADERS[table](db);
    const entry = { at: now, rows };
    copies.set(table, entry);
    // A failed read is not kept: the next text tries again.
    rows.catch(() => {
      if (copies.get(table) === entry) copies.delete(table);
    });
    return rows;
  }
  const drop = (table: AdminTable | null) => {
    if (table) copies.delete(table);
    else copies.clear();
  };
  feed?.onChange(drop);

  return {
    async snapshot() {
      const [queueRows, inboxRows, incidentRows] = await Promise.all([read('queues'), read('inboxes'), read('incidents')]);
      return {
        queue: (key) => queueRows.get(key),
        queues: () => [...queueRows.values()],
        inbox: (kind, address) => inboxRows.get(inboxKey(kind, address)),
        openIncidentsFor: (queueKeys) => incidentRows.filter((i) => concernsQueues(i, queueKeys)),
      };
    },
    crisisTerms: () => read('crisis-terms'),
    changed(table) {
      drop(table);
      feed?.announce(table);
    },
  };
}
