import { AppError } from '../errors.js';
import type { CallControl, Deps } from '../ports.js';

/** The call control port, or 503 when no telephony vendor is configured. */
export function callControlOf(deps: Pick<Deps, 'calls'>): CallControl {
  if (!deps.calls) throw new AppError('unavailable', 'voice calls are not configured');
  return deps.calls;
}
