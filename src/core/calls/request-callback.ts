import { ingestInbound } from '../conversations/ingest-inbound.js';
import type { Lang } from '../../ivr/flow-schema.js';
import type { Deps } from '../ports.js';
import { AppError } from '../errors.js';
import { dialableNumber } from './phone-number.js';
import { callInbound, type CallRef } from './call-ref.js';
import { callbackShift } from '../routing/policy.js';
import { metaOf } from './call-meta.js';
import { patchCall } from './queries.js';
import { getQueue } from '../../db/queries/queues.js';

export type CallbackRequest = CallRef & {
  flow: string;
  lang: Lang;
  /** The caller picked `lang` at a language node: it becomes their contact's language. */
  langChosen?: boolean;
  /** The number the caller confirmed (read back to them), E.164. */
  number: string;
  /** The callback node's queue and urgency; the called number's queue otherwise. */
  queue?: string;
  priorityBoost: number;
};

/**
 * A caller asked to be called back and confirmed the number read back to
 * them (see `callbackNumber`): the call's conversation (opened now if they
 * never queued) waits as a callback to that number.
 */
export async function requestCallback(
  deps: Deps,
  req: CallbackRequest,
): Promise<{ number: string; conversationId: string | null; duplicate: boolean }> {
  // Checked again here: a callback is never made without a number we may ring.
  const checked = dialableNumber(req.number, { allowedCountries: deps.config.voice.allowedCountries });
  if (!checked.ok) throw new AppError('bad_request', `callback number: ${checked.reason}`);
  const number = checked.e164;
  const result = await ingestInbound(
    deps,
    callInbound(req, {
      externalId: `${req.callSid}:callback`,
      queue: req.queue,
      priorityBoost: req.priorityBoost,
      callback: true,
      body: `Callback requested to ${number}`,
      metadata: { kind: 'callback', callbackNumber: number },
      conversationMetadata: {
        callSid: req.callSid,
        direction: 'inbound',
        flow: req.flow,
        lang: req.lang,
        mode: 'callback',
        callbackNumber: number,
        demoted: true,
      },
    }),
  );
  if (result.duplicate) return { number, conversationId: null, duplicate: true };
  const c = result.conversation;
  // A caller who was waiting live stops being one: placed against live callers as the queue says.
  if (c)
    await patchCall(
      deps.db,
      c.id,
      { mode: 'callback', callbackNumber: number, callSid: req.callSid, recordingPending: false, demoted: true },
      metaOf(c).demoted ? {} : { priority: c.priority + callbackShift((await getQueue(deps.db, c.queueKey))?.callbackOrder) },
    );
  return { number, conversationId: result.conversation?.id ?? null, duplicate: false };
}
