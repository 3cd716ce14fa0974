import { io, type Socket } from 'socket.io-client';
import { refreshSession, session } from './api.js';
import { recordServerTime } from './clock.js';
import { EVENT_NAMES, type EventBus, type EventName, type RealtimeEvents } from './events.js';

type ServerToClient = { [E in EventName]: (payload: RealtimeEvents[E]) => void };

/**
 * One Socket.IO connection per tab, feeding the event bus. The token is read on every
 * (re)connect (renewed from the refresh cookie when it has expired), so the socket survives
 * network drops; socket.io-client retries by itself. A refused handshake or a server-side
 * disconnect (the agent's tokens were revoked) ends the session unless the cookie still yields a token.
 */
export function connectRealtime(
  bus: EventBus,
  handlers: { onStatus: (status: 'online' | 'offline') => void; onAuthError: () => void },
): Socket<ServerToClient> {
  const socket: Socket<ServerToClient> = io({
    path: '/socket.io',
    transports: ['websocket'],
    auth: (cb) => {
      const s = session.get();
      if (s) cb({ token: s.token });
      else
        refreshSession().then(
          (token) => cb({ token }),
          () => cb({}),
        );
    },
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
  });
  let authFailures = 0; // a handshake refused again right after a good refresh is not worth retrying forever
  const recheck = () => {
    if (++authFailures > 3) return handlers.onAuthError();
    refreshSession().then(
      () => socket.connect(),
      () => handlers.onAuthError(),
    );
  };
  socket.on('connect', () => {
    authFailures = 0;
    handlers.onStatus('online');
    const sentAt = Date.now();
    (socket as Socket).emit('clock', (serverMs: number) => recordServerTime(serverMs, sentAt, Date.now()));
  });
  socket.on('disconnect', (reason) => {
    handlers.onStatus('offline');
    // The server closed it: our tokens were revoked (deactivation, a password change elsewhere).
    if (reason === 'io server disconnect') recheck();
  });
  socket.on('connect_error', (err) => {
    handlers.onStatus('offline');
    if (/unauthori[sz]ed|token|deactivated|revoked/i.test(err.message)) {
      session.clear();
      recheck();
    }
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
