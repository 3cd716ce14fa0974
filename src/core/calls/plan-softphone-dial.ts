import { listPhoneInboxes } from '../../db/queries/queues.js';
import type { Deps } from '../ports.js';
import { checkOutboundDestination } from './check-outbound-destination.js';

export type SoftphoneDial = { dial: true; to: string; callerId: string } | { dial: false; reason: string };

/**
 * An agent's softphone dials a number directly (typed on the desk's keypad):
 * caller ID is the hotline they asked for, else the first hotline; the
 * destination goes through the same check as every outbound call.
 */
export async function planSoftphoneDial(
  deps: Pick<Deps, 'db' | 'config'>,
  input: { agentId: string; to: string; callerId?: string },
): Promise<SoftphoneDial> {
  const callerId = input.callerId || (await listPhoneInboxes(deps.db))[0];
  if (!callerId) return { dial: false, reason: 'no hotline number to call from' };
  const check = await checkOutboundDestination(deps, { to: input.to, from: callerId, agentId: input.agentId });
  if (!check.ok) return { dial: false, reason: check.reason };
  return { dial: true, to: input.to, callerId };
}
