/**
 * The floor for `npm run bench`: the least any SMS router on this stack must do, and nothing
 * else. A web process parses the signed Twilio form, checks its signature, inserts one row and
 * adds one BullMQ job; a worker process takes the job and pushes one Socket.IO event (through
 * the Redis emitter, as Switchboard's workers do) to the agents' room. Switchboard is measured
 * against it in the same run, on the same machine, so the ratio means something on a busy box.
 *
 * Run by bench/load.ts as two processes: `ROLE=web|worker PORT=… DATABASE_URL=… REDIS_URL=… PREFIX=…`.
 */
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Emitter } from '@socket.io/redis-emitter';
import { Queue, Worker } from 'bullmq';
import express from 'express';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { Server } from 'socket.io';
import twilio from 'twilio';

const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};
const role = env('ROLE');
const prefix = env('PREFIX');
const redisUrl = env('REDIS_URL');
const key = `${prefix}:socket.io`;
const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });

if (role === 'web') {
  const sql = postgres(env('DATABASE_URL'), { max: 10, onnotice: () => {} });
  await sql`create table if not exists floor_messages (sid text primary key, sender text not null, body text not null, at timestamptz not null default now())`;
  const queue = new Queue('floor', { connection, prefix });
  const authToken = env('TWILIO_AUTH_TOKEN');
  const publicUrl = env('PUBLIC_URL');
  const app = express();
  app.post('/webhooks/twilio/sms', express.urlencoded({ extended: false }), async (req, res) => {
    const form = req.body as Record<string, string>;
    if (!twilio.validateRequest(authToken, req.header('x-twilio-signature') ?? '', publicUrl + req.originalUrl, form)) {
      res.status(403).end();
      return;
    }
    await sql`insert into floor_messages (sid, sender, body) values (${form.MessageSid}, ${form.From}, ${form.Body}) on conflict do nothing`;
    await queue.add('offer', { sid: form.MessageSid, from: form.From }, { jobId: form.MessageSid, removeOnComplete: true });
    res.type('text/xml').send('<Response/>');
  });
  const server = createServer(app);
  const pub = new Redis(redisUrl);
  const io = new Server(server, { adapter: createAdapter(pub, pub.duplicate(), { key }), transports: ['websocket'] });
  io.on('connection', (s) => void s.join('agents'));
  server.listen(Number(env('PORT')), '127.0.0.1', () => process.stdout.write('floor started\n'));
} else {
  const emitter = new Emitter(new Redis(redisUrl), { key });
  new Worker<{ sid: string; from: string }>(
    'floor',
    async (job) => {
      emitter.to('agents').emit('reservation.created', { conversationId: job.data.sid, contact: { address: job.data.from } });
    },
    { connection, prefix, concurrency: 8 },
  );
  process.stdout.write('floor started\n');
}
