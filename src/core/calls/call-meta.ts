import type { ConversationRow } from '../../db/schema.js';
import type { Lang } from '../../ivr/flow-schema.js';

/**
 * What a voice conversation remembers about its call, in `conversations.metadata`
 * (channel specifics that do not deserve columns).
 */
export type CallMeta = {
  callSid?: string;
  direction?: 'inbound' | 'outbound';
  flow?: string;
  node?: string;
  lang?: Lang;
  /** call: waiting live on the line · voicemail / callback: the caller left, an agent calls back */
  mode?: 'call' | 'voicemail' | 'callback';
  callbackNumber?: string;
  record?: boolean;
  conference?: string;
  conferenceSid?: string;
  /** The agent's softphone leg in the conference. */
  agentCallSid?: string | null;
  bridgedAgentId?: string;
  /** When the current agent's leg answered (null while ringing / after they left). */
  bridgedAt?: string | null;
  /** When an agent first answered: talk time counts from here. */
  answeredAt?: string | null;
  onHold?: boolean;
  overflowedAt?: string;
  /** Last hold-loop request from the vendor for this call. */
  lastHeardAt?: string;
  endedAt?: string | null;
  callStatus?: string | null;
  callDurationSeconds?: number;
  talkSeconds?: number;
  waitSeconds?: number;
  agentNoAnswer?: number;
  /** Voicemail chosen from the hold loop, recording not in yet: hanging up now is still an abandon. */
  recordingPending?: boolean;
  /** When the caller went to the post-call survey (the agent had left): talk time ends here. */
  surveyStartedAt?: string;
  /** Priority already moved by `callbackShift` (the call became a callback or voicemail). */
  demoted?: boolean;
};

export const metaOf = (c: Pick<ConversationRow, 'metadata'>) => c.metadata as CallMeta;

/** The conference a call is bridged in: named after its conversation. */
export const conferenceName = (conversationId: string) => `conv-${conversationId}`;

/** Call statuses after which the call is over (the vendor's words, which we keep). */
export const FINAL_CALL_STATUSES = ['completed', 'busy', 'no-answer', 'failed', 'canceled'] as const;
export const isFinalStatus = (s: string | undefined) => (FINAL_CALL_STATUSES as readonly string[]).includes(s ?? '');
