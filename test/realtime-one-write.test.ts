import { createServer } from 'node:http';
import type { AddressInfo, Socket as TcpSocket } from 'node:net';
import { Server } from 'socket.io';
import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneWritePerTick } from '../src/realtime/one-write-per-tick.js';

/** Counts the writes that reach a connection's TCP socket (a corked batch is one `_writev`). */
function countWrites(tcp: TcpSocket) {
  const counts = { writes: 0 };
  const t = tcp as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
  const [write, writev] = [t._write.bind(tcp), t._writev.bind(tcp)];
  t._write = (...a) => (counts.writes++, write(...a));
  t._writev = (...a) => (counts.writes++, writev(...a));
  return counts;
}

describe('websocket frames within one tick', () => {
  const http = createServer();
  const io = new Server(http);
  const client = () => ioClient(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'], forceNew: true });
  beforeAll(async () => {
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await io.close();
  });

  it('leave in one write, in order, and later ticks write again', async () => {
    oneWritePerTick(io);
    const joined = new Promise<TcpSocket>((resolve) =>
      io.once('connection', (s) => resolve((s.conn.transport as unknown as { socket: { _socket: TcpSocket } }).socket._socket)),
    );
    const c = client();
    const tcp = await joined;
    const got: number[] = [];
    const all = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => got.length >= n && resolve();
        c.on('n', (i: number) => (got.push(i), check()));
      });
    const counts = countWrites(tcp);
    const five = all(5);
    for (let i = 0; i < 5; i++) io.emit('n', i);
    await five;
    expect(got).toEqual([0, 1, 2, 3, 4]);
    expect(counts.writes).toBe(1);

    io.emit('n', 5);
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual([0, 1, 2, 3, 4, 5]);
    expect(counts.writes).toBe(2);
    c.close();
  });
});
