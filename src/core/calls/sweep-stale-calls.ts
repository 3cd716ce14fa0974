import { and, eq, inArray, sql } from 'drizzle-orm';
import { conversations } from '../../db/schema.js';
import type { Deps } from '../ports.js';
import { isFinalStatus, metaOf } from './call-meta.js';
import { handleCallStatus } from './handle-call-status.js';

/** A waiting caller's hold loop asks for TwiML at least this often; longer silence means ask the vendor. */
export const STALE_AFTER_SECONDS = 10 * 60;
export const SWEEP_INTERVAL_SECONDS = 60;

/**
 * Catches callers who hung up while we missed the status callback (a deploy,
 * a network blip): waiting calls not heard from for a while are looked up at
 * the vendor, and finished ones go through the same handling as the callback.
 * Harmless when run by several processes at once (each CallSid+CallStatus is
 * handled once). Returns how many calls it ended.
 */
export async function sweepStaleCalls(deps: Deps, staleAfterSeconds = STALE_AFTER_SECONDS): Promise<number> {
  const calls = deps.calls;
  if (!calls) return 0;
  const stale = await deps.db
    .select()
    .from(conversations)
    .where(
      and(
        eq(conversations.channel, 'voice'),
        inArray(conversations.status, ['waiting', 'offered']),
        sql`coalesce(${conversations.metadata}->>'mode', 'call') = 'call'`,
        sql`(${conversations.metadata}->>'callSid') is not null`,
        sql`coalesce((${conversations.metadata}->>'lastHeardAt')::timestamptz, ${conversations.queuedAt}) < now() - make_interval(secs => ${staleAfterSeconds})`,
      ),
    )
    .limit(50);
  let ended = 0;
  for (const c of stale) {
    const callSid = metaOf(c).callSid!;
    try {
      const call = await calls.fetchCall(callSid);
      if (!isFinalStatus(call.status)) continue;
      await handleCallStatus(deps, { leg: 'caller', callSid, status: call.status, durationSeconds: call.durationSeconds });
      ended++;
    } catch (err) {
      deps.log.warn({ err, conversationId: c.id }, 'could not check a silent call');
    }
  }
  if (ended > 0) deps.log.info({ ended }, 'ended calls whose hang-up callback was missed');
  return ended;
}
