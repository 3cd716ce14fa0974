import { rooms, type Deps, type PublicIncident } from '../ports.js';

/** Every agent's desk and wallboard keeps its incident banner current from this. */
export function publishIncident(deps: Deps, incident: PublicIncident): void {
  deps.realtime.publish([rooms.everyone], 'incident.updated', { incident });
}
