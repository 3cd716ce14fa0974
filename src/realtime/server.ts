import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { isSupervisor, type Actor } from '../core/agents/actor.js';
import { authenticate } from '../core/agents/tokens.js';
import { deskDisconnected, heartbeatMs, stampDesks } from '../core/agents/desk-presence.js';
import { AppError } from '../core/errors.js';
import { rooms, type Deps } from '../core/ports.js';
import { oneWritePerTick } from './one-write-per-tick.js';
import { socketIoKey } from './publisher.js';

/**
 * Socket.IO for the agent desk. The handshake must carry `auth.token`; each
 * socket joins its agent room, its queues' rooms, and (supervisors) the
 * supervisors room. Websocket transport is allowed first, so no sticky sessions are needed.
 */
export function createRealtimeServer(deps: Deps, http: HttpServer, redis: { pub: Redis; sub: Redis }) {
  const io = new Server(http, {
    path: '/socket.io',
    adapter: createAdapter(redis.pub, redis.sub, { key: socketIoKey(deps.config.redisPrefix) }),
    cors: { origin: false },
    pingInterval: 10_000,
    pingTimeout: 10_000,
  });
  oneWritePerTick(io);

  // The handshake is checked like an API request: a deactivated agent or a revoked token is refused.
  const check = async (token: string | undefined) => {
    const auth = await authenticate(deps.db, deps.config, token);
    if (auth.mfaEnrolmentRequired) throw new AppError('mfa_enrolment_required', 'unauthorized: set up two-factor sign-in first');
    return auth;
  };
  io.use(async (socket, next) => {
    try {
      socket.data.actor = (await check(handshakeToken(socket.handshake.auth))).actor;
      next();
    } catch (err) {
      next(new Error(err instanceof AppError ? err.message : 'unauthorized'));
    }
  });

  io.on('connection', async (socket) => {
    const actor = socket.data.actor as Actor;
    // The desk measures its clock offset (offer countdowns follow the server's expiresAt); registered
    // before any await, so a `clock` sent right on connect is not missed.
    socket.on('clock', (ack: unknown) => {
      if (typeof ack === 'function') ack(Date.now());
    });
    // Desk presence (src/core/agents/desk-presence.ts): stamp on connect and disconnect.
    socket.on('disconnect', () => void deskDisconnected(deps, actor.id).catch((err) => deps.log.warn({ err }, 'desk stamp failed')));
    await socket.join(roomsFor(actor));
    // A revocation that committed while this handshake ran was broadcast before the socket joined
    // its agent room; checking again now that it has joined closes that gap.
    const stillValid = await check(handshakeToken(socket.handshake.auth)).then(
      () => true,
      () => false,
    );
    if (!stillValid) {
      socket.disconnect(true);
      return;
    }
    await stampDesks(deps.db, [actor.id]).catch((err) => deps.log.warn({ err }, 'desk stamp failed'));
    deps.log.debug({ agentId: actor.id }, 'socket connected');
  });
  // ...and on a heartbeat for every desk connected to this process, so a crashed process's agents go offline.
  const heartbeat = setInterval(() => {
    const ids = [...io.of('/').sockets.values()].map((s) => (s.data.actor as Actor).id);
    void stampDesks(deps.db, ids).catch((err) => deps.log.warn({ err }, 'desk heartbeat failed'));
  }, heartbeatMs(deps.config.routing.presenceGraceSeconds)).unref();
  http.once('close', () => clearInterval(heartbeat));

  return io;
}

const handshakeToken = (auth: unknown) => (auth as { token?: string } | undefined)?.token;

export function roomsFor(actor: Actor): string[] {
  const list = [rooms.everyone, rooms.agent(actor.id), ...actor.queues.map(rooms.queue)];
  if (isSupervisor(actor)) list.push(rooms.supervisors, ...actor.queues.map(rooms.queueSupervisors));
  if (actor.role === 'admin') list.push(rooms.admins);
  return list;
}
