import type { RealtimeEvents } from '../core/ports.js';

/** The server's socket events, by name, with their payloads (type-only: nothing of the server is bundled). */
export type { RealtimeEvents };
export type EventName = keyof RealtimeEvents;
type Listener<E extends EventName> = (payload: RealtimeEvents[E]) => void;

/** Every event the desk listens to; a `Record` so a new server event fails the typecheck until it is listed here. */
const LISTENED: Record<EventName, true> = {
  'reservation.created': true,
  'reservation.canceled': true,
  'conversation.assigned': true,
  'conversation.updated': true,
  'message.created': true,
  'message.updated': true,
  'queue.stats': true,
  'agent.presence': true,
  'supervisor.alert': true,
  'crisis.detected': true,
  'incident.updated': true,
  'incident.suggested': true,
  'incident.proposed': true,
  'sla.warning': true,
  'sla.breached': true,
  'csat.received': true,
  'csat.low': true,
  'review.created': true,
};
export const EVENT_NAMES = Object.keys(LISTENED) as EventName[];

/** One tab's live events: the socket emits, screens subscribe to the events they need. */
export type EventBus = {
  subscribe<E extends EventName>(event: E, fn: Listener<E>): () => void;
  emit<E extends EventName>(event: E, payload: RealtimeEvents[E]): void;
};

export function createEventBus(): EventBus {
  const listeners = new Map<EventName, Set<(payload: never) => void>>();
  return {
    subscribe(event, fn) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(fn);
      return () => void set.delete(fn);
    },
    emit(event, payload) {
      for (const fn of listeners.get(event) ?? []) (fn as Listener<typeof event>)(payload);
    },
  };
}
