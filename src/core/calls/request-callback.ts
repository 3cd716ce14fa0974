import { ingestInbound } from '../conversations/ingest-inbound.js';
import type { Lang } from '../../ivr/flow-schema.js';
import type { Deps } from '../ports.js';
import { callbackNumber } from './callback-number.js';
import { callInbound, type CallRef } from './call-ref.js';
import { patchCall } from './queries.js';

export type CallbackRequest = CallRef & {
  flow: string;
  lang: Lang;
  /** What the caller keyed in (nothing: call back the number they call from). */
  digits?: string;
  /** The callback node's queue and urgency; the called number's queue otherwise. */
  queue?: string;
  priorityBoost: number;
};

/**
 * A caller asked to be called back: the call's conversation (opened now if
 * they never queued) waits as a callback to the number they chose.
 */
export async function requestCallback(
  deps: Deps,
  req: CallbackRequest,
): Promise<{ number: string; conversationId: string | null; duplicate: boolean }> {
  const number = callbackNumber(req.digits, req.from);
  const result = await ingestInbound(
    deps,
    callInbound(req, {
      externalId: `${req.callSid}:callback`,
      queue: req.queue,
      priorityBoost: req.priorityBoost,
      body: `Callback requested to ${number}`,
      metadata: { kind: 'callback', callbackNumber: number },
      conversationMetadata: {
        callSid: req.callSid,
        direction: 'inbound',
        flow: req.flow,
        lang: req.lang,
        mode: 'callback',
        callbackNumber: number,
      },
    }),
  );
  if (result.duplicate) return { number, conversationId: null, duplicate: true };
  if (result.conversation)
    await patchCall(deps.db, result.conversation.id, { mode: 'callback', callbackNumber: number, callSid: req.callSid });
  return { number, conversationId: result.conversation?.id ?? null, duplicate: false };
}
