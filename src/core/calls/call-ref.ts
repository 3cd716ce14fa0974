import { E164 } from '../patterns.js';
import type { InboundMessage } from '../conversations/types.js';
import type { Lang } from '../../ivr/flow-schema.js';

/** A call as its webhooks name it: the vendor's id, the caller's number and the number they called. */
export type CallRef = {
  callSid: string;
  /** The caller's number ('anonymous' when withheld). */
  from: string;
  /** Our number they called (the hotline). */
  to: string;
};

/**
 * Who a call comes from, as a contact identity: the caller's number, or — when
 * the caller ID is withheld (`anonymous`, `Restricted`, anything not E.164) —
 * an identity of this call alone, so anonymous callers never share a contact
 * (nor each other's history).
 */
export const callerIdentity = (call: Pick<CallRef, 'callSid' | 'from'>) => (E164.test(call.from) ? call.from : `anonymous:${call.callSid}`);

/** The caller's language as the IVR knows it: `langChosen` when they picked it at a language node. */
export type CallLanguage = { lang: Lang; langChosen?: boolean };

/**
 * The inbound message a call (or something left on it) brings into `ingestInbound`. A language
 * the caller chose becomes their contact's language (later auto-replies and texts use it).
 */
export const callInbound = (
  call: CallRef & Partial<CallLanguage>,
  m: Omit<InboundMessage, 'channel' | 'from' | 'inboxAddress' | 'threadKey'>,
): InboundMessage => ({
  channel: 'voice',
  from: { kind: 'phone', value: callerIdentity(call) },
  inboxAddress: call.to,
  threadKey: call.callSid,
  ...(call.langChosen && call.lang ? { contactLanguage: call.lang } : {}),
  ...m,
});
