import { io, type Socket } from 'socket.io-client';
import { session } from './api.js';
import { EVENT_NAMES, type EventBus, type EventName, type RealtimeEvents } from './events.js';

type ServerToClient = { [E in EventName]: (payload: RealtimeEvents[E]) => void };

/**
 * One Socket.IO connection per tab, feeding the event bus. The token is read on
 * every (re)connect, so a refreshed token is used after a network drop;
 * socket.io-client retries by itself.
 */
export function connectRealtime(
  bus: EventBus,
  handlers: { onStatus: (status: 'online' | 'offline') => void; onAuthError: () => void },
): Socket<ServerToClient> {
  const socket: Socket<ServerToClient> = io({
    path: '/socket.io',
    transports: ['websocket'],
    auth: (cb) => cb({ token: session.get()?.token }),
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
  });
  socket.on('connect', () => handlers.onStatus('online'));
  socket.on('disconnect', () => handlers.onStatus('offline'));
  socket.on('connect_error', (err) => {
    handlers.onStatus('offline');
    if (/unauthori[sz]ed|token/i.test(err.message) && !session.get()) handlers.onAuthError();
  });
  // socket.io-client's listener typing cannot follow a generic event name: register by a plain string on the
  // untyped view; the payload's type is the server's (ServerToClient).
  const untyped = socket as Socket;
  const forward = <E extends EventName>(event: E) => {
    const name: string = event;
    untyped.on(name, (payload: RealtimeEvents[E]) => bus.emit(event, payload));
  };
  for (const event of EVENT_NAMES) forward(event);
  return socket;
}
