import { ingestInbound, type IngestResult } from '../conversations/ingest-inbound.js';
import type { Lang } from '../../ivr/flow-schema.js';
import type { Deps } from '../ports.js';
import { callInbound, type CallRef } from './call-ref.js';

export type EnqueueCall = CallRef & {
  /** Where in the IVR the caller joined the queue: their hold loop goes back there. */
  flow: string;
  node: string;
  lang: Lang;
  /** The caller picked `lang` at a language node: it becomes their contact's language. */
  langChosen?: boolean;
  queue: string;
  priorityBoost: number;
  /** Record the call once an agent answers. */
  record: boolean;
  /** What the caller said at the menu (speech recognition): kept with the call, and checked for a crisis. */
  heard?: string;
};

/**
 * A live caller reached a queue in the IVR: their voice conversation opens
 * (once per call, through the same ingest as every channel) and is routed.
 */
export async function enqueueCall(deps: Deps, call: EnqueueCall): Promise<IngestResult> {
  return ingestInbound(
    deps,
    callInbound(call, {
      externalId: call.callSid,
      queue: call.queue,
      priorityBoost: call.priorityBoost,
      body: `Call from the ${call.flow} line (${call.node})${call.heard ? `\nThe caller said: "${call.heard}"` : ''}`,
      metadata: {
        callSid: call.callSid,
        direction: 'inbound',
        flow: call.flow,
        node: call.node,
        lang: call.lang,
        mode: 'call',
        record: call.record,
        ...(call.heard ? { heard: call.heard } : {}),
      },
    }),
  );
}
