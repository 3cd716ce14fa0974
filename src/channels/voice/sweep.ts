import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Deps } from '../../core/ports.js';
import { conversations } from '../../db/schema.js';
import type { TwilioClient } from '../twilio/client.js';
import { metaOf } from './calls.js';
import { handleCallStatus } from './lifecycle.js';
import { isFinalStatus } from './parse-call.js';

/** A waiting caller's hold loop asks for TwiML at least this often; longer silence means ask Twilio. */
export const STALE_AFTER_SECONDS = 10 * 60;
export const SWEEP_INTERVAL_SECONDS = 60;

/**
 * Catches callers who hung up while we missed the status callback (a deploy,
 * a network blip): waiting calls not heard from for a while are looked up at
 * Twilio, and finished ones go through the same lifecycle as the callback.
 * Harmless when run by several processes at once (the lifecycle claims each
 * CallSid+CallStatus once).
 */
export async function sweepStaleCalls(deps: Deps, client: TwilioClient, staleAfterSeconds = STALE_AFTER_SECONDS): Promise<number> {
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
      const call = await client.calls(callSid).fetch();
      if (!isFinalStatus(call.status)) continue;
      await handleCallStatus(deps, client, {
        leg: 'caller',
        callSid,
        status: call.status,
        durationSeconds: call.duration ? Number(call.duration) : undefined,
      });
      ended++;
    } catch (err) {
      deps.log.warn({ err: (err as Error).message, conversationId: c.id }, 'could not check a silent call');
    }
  }
  if (ended > 0) deps.log.info({ ended }, 'ended calls whose hang-up callback was missed');
  return ended;
}
