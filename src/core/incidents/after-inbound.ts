import type { ConversationRow } from '../../db/schema.js';
import type { Deps } from '../ports.js';
import { proposeOnInbound } from './propose-incidents.js';
import { suggestOnInbound } from './suggestions.js';

export type InboundText = { conversation: ConversationRow; messageId: string; text: string };

type Checker = { pending: InboundText[]; running: Promise<void> | null };
const checkers = new WeakMap<Deps, Checker>();

/**
 * The incident checks a contact's stored text gets (does it name an open incident? did it bring
 * its contact into a group of similar contacts?), off the webhook's path and coalesced: while a
 * check runs, texts arriving wait and the next check covers them all with one read of the window.
 * Measured in a surge (docs/routing.md, "Throughput"), a check per text read up to 1,000 recent
 * texts and stemmed them twice, inside the webhook: the largest single cost of a text.
 *
 * The waiting list is this process' own work, not shared state: both checks only push hints
 * (the proposal list and suggestions are read again from Postgres by a reloaded desk), so a
 * process that dies with texts waiting loses a push, never a record. Resolves once a check
 * covering `text` has run (tests and shutdown may wait; the webhook does not).
 */
export function checkIncidentsAfterInbound(deps: Deps, text: InboundText): Promise<void> {
  let c = checkers.get(deps);
  if (!c) checkers.set(deps, (c = { pending: [], running: null }));
  c.pending.push(text);
  return drain(deps, c);
}

function drain(deps: Deps, c: Checker): Promise<void> {
  if (c.running) return c.running.then(() => drain(deps, c));
  if (c.pending.length === 0) return Promise.resolve();
  const batch = c.pending.splice(0);
  c.running = (async () => {
    // Both log and swallow their own errors; nothing here may reject (nobody awaits the webhook's checks).
    await suggestOnInbound(deps, batch);
    await proposeOnInbound(deps, batch);
  })()
    .catch((err: unknown) => deps.log.warn({ err }, 'incident checks failed'))
    .finally(() => {
      c.running = null;
    });
  return c.running;
}
