import type { ConversationRow } from '../../db/schema.js';
import type { Deps } from '../ports.js';
import { proposeOnInbound } from './propose-incidents.js';
import { suggestOnInbound } from './suggestions.js';

export type InboundText = { conversation: ConversationRow; messageId: string; text: string };

/**
 * The proposal check reads the whole window (up to 1,000 texts) whether it covers one new text
 * or fifty: under a surge it starts at most this often, and the texts arriving meanwhile wait for
 * it (docs/routing.md, "The incident checks"). Short enough that nobody notices the wait.
 */
export const PROPOSAL_CHECK_GAP_MS = 200;

type Checks = { suggest: (text: InboundText) => Promise<void>; propose: (text: InboundText) => Promise<void> };
const checks = new WeakMap<Deps, Checks>();

/**
 * The incident checks a contact's stored text gets (does it name an open incident? did it bring
 * its contact into a group of similar contacts?), off the webhook's path and coalesced: while a
 * check runs, texts arriving wait and the next check covers them all (the proposal check with
 * one read of the window). Measured in a surge (docs/routing.md, "Throughput"), a check per text
 * read up to 1,000 recent texts and stemmed them twice, inside the webhook: the largest single
 * cost of a text.
 *
 * The waiting lists are this process' own work, not shared state: both checks only push hints
 * (the proposal list and suggestions are read again from Postgres by a reloaded desk), so a
 * process that dies with texts waiting loses a push, never a record. Resolves once checks
 * covering `text` have run (tests and shutdown may wait; the webhook does not).
 */
export function checkIncidentsAfterInbound(deps: Deps, text: InboundText): Promise<void> {
  let c = checks.get(deps);
  if (!c) {
    // Both checks log and swallow their own errors; nothing here may reject (nobody awaits the webhook's checks).
    const failed = (err: unknown) => deps.log.warn({ err }, 'incident checks failed');
    c = {
      suggest: coalesced(0, (batch) => suggestOnInbound(deps, batch), failed),
      propose: coalesced(PROPOSAL_CHECK_GAP_MS, (batch) => proposeOnInbound(deps, batch), failed),
    };
    checks.set(deps, c);
  }
  return Promise.all([c.suggest(text), c.propose(text)]).then(() => undefined);
}

/**
 * `check` over items as they come, one run at a time, each starting at least `gapMs` after the
 * previous one started: the items arriving while a run waits or runs are the next run's batch.
 * The returned function resolves once a run covering its item has ended.
 */
export function coalesced<T>(
  gapMs: number,
  check: (batch: T[]) => Promise<void>,
  failed: (err: unknown) => void,
): (item: T) => Promise<void> {
  const pending: T[] = [];
  let running: Promise<void> | null = null;
  let lastStart = -Infinity;
  const drain = (): Promise<void> => {
    if (running) return running.then(drain);
    if (pending.length === 0) return Promise.resolve();
    running = (async () => {
      const wait = lastStart + gapMs - Date.now();
      // Items arriving meanwhile join this run.
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      lastStart = Date.now();
      await check(pending.splice(0));
    })()
      .catch((err: unknown) => {
        failed(err);
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  return (item) => {
    pending.push(item);
    return drain();
  };
}
