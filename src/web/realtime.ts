import { io, type Socket } from 'socket.io-client';
import { session } from './api.js';

/**
 * One Socket.IO connection per tab. The token is read on every (re)connect,
 * so a refreshed token is used after a network drop; socket.io-client retries by itself.
 */
export function connectRealtime(handlers: {
  onStatus: (status: 'online' | 'offline') => void;
  onEvent: (event: string, payload: any) => void;
  onAuthError: () => void;
}): Socket {
  const socket = io({
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
  socket.onAny((event: string, payload: unknown) => handlers.onEvent(event, payload));
  return socket;
}
