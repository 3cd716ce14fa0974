import type { InboundMessage } from '../conversations/types.js';

/** A call as its webhooks name it: the vendor's id, the caller's number and the number they called. */
export type CallRef = {
  callSid: string;
  /** The caller's number ('anonymous' when withheld). */
  from: string;
  /** Our number they called (the hotline). */
  to: string;
};

/** The inbound message a call (or something left on it) brings into `ingestInbound`. */
export const callInbound = (call: CallRef, m: Omit<InboundMessage, 'channel' | 'from' | 'inboxAddress' | 'threadKey'>): InboundMessage => ({
  channel: 'voice',
  from: { kind: 'phone', value: call.from },
  inboxAddress: call.to,
  threadKey: call.callSid,
  ...m,
});
