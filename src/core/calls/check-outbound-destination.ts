import { E164 } from '../patterns.js';
import type { Deps } from '../ports.js';

export type OutboundDial = {
  /** The number to ring. */
  to: string;
  /** The hotline it rings from (caller ID). */
  from: string;
  /** The agent placing the call. */
  agentId: string;
};

export type DestinationCheck = { ok: true } | { ok: false; reason: string };

/**
 * Whether we may ring this number. Every outbound call — the desk's call
 * button, calling back a voicemail or callback, the softphone's keypad — is
 * checked here just before it is dialled, so rules about where calls may go
 * (blocked prefixes, premium-rate or international numbers, how often an agent
 * may dial) belong here. Today: the number must be E.164.
 */
export async function checkOutboundDestination(_deps: Pick<Deps, 'db' | 'config'>, dial: OutboundDial): Promise<DestinationCheck> {
  if (!E164.test(dial.to)) return { ok: false, reason: `${dial.to || 'the number'} is not a phone number we can dial` };
  return { ok: true };
}
