import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';
import { rooms, type RealtimePublisher } from '../core/ports.js';

/** Socket.IO's Redis key for this installation; the adapter and the emitter must agree on it. */
export const socketIoKey = (prefix: string) => `${prefix}:socket.io`;

/**
 * Publishes through Redis so that any process (a worker with no sockets, or
 * any web process) reaches agents connected to every web process.
 */
export function createPublisher(redis: Redis, prefix: string): RealtimePublisher {
  // The emitter publishes without awaiting: while Redis is away a publish rejects ("Connection is
  // closed") with nobody listening, and an unhandled rejection ends a Node process. The event is
  // lost either way (the adapter does not replay; docs/scale-out.md), so the rejection is dropped here.
  const client = { publish: (channel: string, message: string | Buffer) => redis.publish(channel, message).catch(() => 0) };
  const emitter = new Emitter(client, { key: socketIoKey(prefix) });
  return {
    publish(to, event, payload) {
      if (to.length === 0) return;
      emitter.to(to).emit(event, payload);
    },
    moveSockets(agentId, leave, join) {
      if (leave.length) emitter.in(rooms.agent(agentId)).socketsLeave(leave);
      if (join.length) emitter.in(rooms.agent(agentId)).socketsJoin(join);
    },
    disconnectAgent(agentId) {
      emitter.in(rooms.agent(agentId)).disconnectSockets(true);
    },
  };
}
