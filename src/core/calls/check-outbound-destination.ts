import type { Deps } from '../ports.js';
import { dialableNumber } from './phone-number.js';

export type OutboundDial = {
  /** The number to ring. */
  to: string;
  /** The hotline it rings from (caller ID). */
  from: string;
  /** The agent placing the call. */
  agentId: string;
};

export type DestinationCheck = { ok: true; to: string } | { ok: false; reason: string };

/**
 * Whether we may ring this number. Every outbound call — the desk's call
 * button, calling back a voicemail or callback, the softphone's keypad — is
 * checked here just before it is dialled, so rules about where calls may go
 * belong here: a real number (libphonenumber), in VOICE_ALLOWED_COUNTRIES,
 * never premium-rate. `to` comes back normalised to E.164.
 */
export async function checkOutboundDestination(deps: Pick<Deps, 'db' | 'config'>, dial: OutboundDial): Promise<DestinationCheck> {
  // Only E.164 here: digits without a country are a caller's keypad, read by `callbackNumber`.
  if (!dial.to.startsWith('+')) return { ok: false, reason: 'not a phone number we can dial' };
  const n = dialableNumber(dial.to, { allowedCountries: deps.config.voice.allowedCountries });
  return n.ok ? { ok: true, to: n.e164 } : n;
}
