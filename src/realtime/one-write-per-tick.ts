import type { Socket as TcpSocket } from 'node:net';
import type { Server } from 'socket.io';

type EngineConnection = { flush: () => void; transport?: { name?: string; socket?: { _socket?: TcpSocket } } };

/**
 * Frames bound for one websocket within one tick leave in one write. engine.io flushes each packet
 * as it is emitted and `ws` writes each frame on its own (a writev syscall per frame), while a
 * text reaches every agent of its queue as several events that arrive together (`message.created`
 * with `conversation.updated`, published back to back, come out of one Redis read): under a surge
 * those per-frame writes were the web process' largest single cost. So a connection's flush waits
 * for the end of the tick, and writes what gathered with the TCP socket corked. Order and content
 * are untouched; the wait is the rest of the current tick.
 */
export function oneWritePerTick(io: Server): void {
  io.engine.on('connection', (conn: EngineConnection) => {
    const flushNow = conn.flush.bind(conn);
    let scheduled = false;
    conn.flush = () => {
      if (scheduled) return;
      scheduled = true;
      process.nextTick(() => {
        scheduled = false;
        // ws keeps its TCP socket in `_socket` (not typed); a polling transport has none to cork.
        const tcp = conn.transport?.name === 'websocket' ? conn.transport.socket?._socket : undefined;
        tcp?.cork();
        flushNow();
        tcp?.uncork();
      });
    };
  });
}
