import { ingestInbound } from '../conversations/ingest-inbound.js';
import type { Deps } from '../ports.js';
import { callbackNumber } from './callback-number.js';
import { callInbound, type CallRef } from './call-ref.js';
import { patchCall } from './queries.js';

/**
 * A call that reached us while Switchboard could not take it (Postgres away):
 * the caller heard an apology; once the call is replayed from the webhook
 * journal it becomes a missed call waiting as a callback to their number, so
 * an agent rings them back. Once per call (keyed by its CallSid).
 */
export async function recordMissedCall(deps: Deps, call: CallRef & { receivedAt: string }): Promise<void> {
  const checked = callbackNumber(deps.config, undefined, call.from);
  // A withheld or undialable caller ID is kept as a missed call, with no number to ring back.
  const number = checked.ok ? checked.e164 : undefined;
  const result = await ingestInbound(
    deps,
    callInbound(call, {
      externalId: call.callSid,
      body: !checked.ok
        ? `Missed call at ${call.receivedAt} while Switchboard was unavailable (no number to call back: ${checked.reason})`
        : `Missed call at ${call.receivedAt} while Switchboard was unavailable: call back ${number}`,
      metadata: { kind: 'missed', callSid: call.callSid, receivedAt: call.receivedAt },
      conversationMetadata: { callSid: call.callSid, direction: 'inbound', mode: 'callback', missed: true, callbackNumber: number },
    }),
  );
  if (!result.duplicate && result.conversation)
    await patchCall(deps.db, result.conversation.id, { mode: 'callback', callbackNumber: number, callSid: call.callSid });
}
