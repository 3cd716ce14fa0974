import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import express from 'express';
import { silentMp3 } from './silent-mp3.js';

export type FakeTwilioRequest = {
  method: string;
  path: string;
  /** Form fields the real twilio client sent. */
  params: Record<string, string>;
  accountSid: string;
  /** Basic-auth user the client authenticated as. */
  authUser: string;
};

const sid = (prefix: string) => prefix + randomBytes(16).toString('hex');

/**
 * A local stand-in for Twilio's REST API (api.twilio.com/2010-04-01), enough
 * for what Switchboard calls: Messages.create, Calls.create / update,
 * Conferences participants. It answers in Twilio's JSON shape and records
 * every call, so tests assert on what the real `twilio` client sent.
 */
export async function startFakeTwilio() {
  const requests: FakeTwilioRequest[] = [];
  let failNext: { status: number; code: number; message: string; times: number; pathEndsWith?: string } | null = null;
  const callStatuses = new Map<string, string>();
  let holding = false;
  const recordingAudio = silentMp3(3);
  const rangesServed: string[] = [];
  const held: { params: Record<string, string> }[] = [];
  const deletedRecordings = new Set<string>();
  const app = express();
  app.use(express.urlencoded({ extended: false }));

  // While holding, a message send is taken in and never answered (nor counted as sent): the
  // moment a sender is "in the vendor call", for tests that kill it there.
  app.post('/2010-04-01/Accounts/:account/Messages.json', (req, _res, next) => {
    if (!holding) return next();
    held.push({ params: { ...(req.body as Record<string, string>) } });
  });

  app.use((req, res, next) => {
    const auth = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
    const m = req.path.match(/^\/2010-04-01\/Accounts\/([^/]+)\//);
    requests.push({
      method: req.method,
      path: req.path,
      params: { ...(req.body as Record<string, string>) },
      accountSid: m?.[1] ?? '',
      authUser: auth.split(':')[0] ?? '',
    });
    if (failNext && failNext.times > 0 && (!failNext.pathEndsWith || req.path.endsWith(failNext.pathEndsWith))) {
      failNext.times -= 1;
      res.status(failNext.status).json({ code: failNext.code, message: failNext.message, status: failNext.status, more_info: '' });
      return;
    }
    next();
  });

  app.post('/2010-04-01/Accounts/:account/Messages.json', (req, res) => {
    const b = req.body as Record<string, string>;
    res.status(201).json({
      sid: sid('SM'),
      account_sid: req.params.account,
      to: b.To,
      from: b.From,
      body: b.Body,
      status: 'queued',
      num_media: '0',
      direction: 'outbound-api',
      date_created: new Date().toUTCString(),
      api_version: '2010-04-01',
      uri: `/2010-04-01/Accounts/${req.params.account}/Messages.json`,
    });
  });

  app.post('/2010-04-01/Accounts/:account/Calls.json', (req, res) => {
    const b = req.body as Record<string, string>;
    res
      .status(201)
      .json({ sid: sid('CA'), account_sid: req.params.account, to: b.To, from: b.From, status: 'queued', direction: 'outbound-api' });
  });

  // Calls(sid).fetch(): the status a test set with setCallStatus (in-progress otherwise).
  app.get('/2010-04-01/Accounts/:account/Calls/:call.json', (req, res) => {
    const status = callStatuses.get(req.params.call) ?? 'in-progress';
    res.json({ sid: req.params.call, account_sid: req.params.account, status, duration: status === 'completed' ? '42' : null });
  });

  // Calls(sid).update(): a call that has ended (setCallStatus) cannot be redirected, as Twilio answers (error 21220).
  app.post('/2010-04-01/Accounts/:account/Calls/:call.json', (req, res) => {
    const b = req.body as Record<string, string>;
    const status = callStatuses.get(req.params.call) ?? 'in-progress';
    if (status !== 'in-progress' && (b.Url || b.Twiml)) {
      res.status(400).json({ code: 21220, message: 'Call is not in-progress. Cannot redirect.', status: 400, more_info: '' });
      return;
    }
    res.json({ sid: req.params.call, account_sid: req.params.account, status: b.Status ?? status });
  });

  app.all('/2010-04-01/Accounts/:account/Conferences/:conf/Participants{/:call}.json', (req, res) => {
    const b = req.body as Record<string, string>;
    res.status(req.method === 'POST' && !req.params.call ? 201 : 200).json({
      account_sid: req.params.account,
      call_sid: req.params.call ?? sid('CA'),
      conference_sid: req.params.conf,
      hold: b.Hold === 'true',
      muted: b.Muted === 'true',
      status: 'connected',
    });
  });

  // Recording media (Recordings/{sid}.mp3): only with the account's credentials, as an account that
  // enforces HTTP auth on media does; one byte range at a time, like Twilio's media store.
  app.get('/2010-04-01/Accounts/:account/Recordings/:file', (req, res) => {
    const m = /^(RE[0-9a-f]{32})\.mp3$/i.exec(String(req.params.file));
    if (!m || deletedRecordings.has(m[1])) {
      res.status(404).json({ code: 20404, message: 'The requested resource was not found', status: 404 });
      return;
    }
    const [user, pass] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
      .toString()
      .split(':');
    if (user !== req.params.account || !pass) {
      res.status(401).json({ code: 20003, message: 'Authenticate', status: 401 });
      return;
    }
    const audio = recordingAudio;
    res.set({ 'content-type': 'audio/mpeg', 'accept-ranges': 'bytes' });
    const r = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
    if (!r || (!r[1] && !r[2])) {
      res.status(200).set('content-length', String(audio.length)).end(audio);
      return;
    }
    const start = r[1] ? Number(r[1]) : Math.max(0, audio.length - Number(r[2]));
    const end = r[1] && r[2] ? Math.min(Number(r[2]), audio.length - 1) : audio.length - 1;
    if (start >= audio.length || start > end) {
      res.status(416).set('content-range', `bytes */${audio.length}`).end();
      return;
    }
    rangesServed.push(`${start}-${end}`);
    res
      .status(206)
      .set({ 'content-range': `bytes ${start}-${end}/${audio.length}`, 'content-length': String(end - start + 1) })
      .end(audio.subarray(start, end + 1));
  });

  // Recordings(sid).remove(): 204 the first time, 404 once it is gone (as Twilio answers).
  app.delete('/2010-04-01/Accounts/:account/Recordings/:recording.json', (req, res) => {
    if (deletedRecordings.has(req.params.recording)) {
      res.status(404).json({ code: 20404, message: `The requested resource ${req.path} was not found`, status: 404 });
      return;
    }
    deletedRecordings.add(req.params.recording);
    res.status(204).end();
  });

  app.use((req, res) => {
    res.status(404).json({ code: 20404, message: `fake Twilio has no route ${req.method} ${req.path}`, status: 404 });
  });

  const server: Server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    messages: () => requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json')).map((r) => r.params),
    /** What a later `calls(sid).fetch()` reports for this call. */
    setCallStatus(callSid: string, status: string) {
      callStatuses.set(callSid, status);
    },
    /** Recording sids deleted through the API, in order. */
    deletedRecordings: () => [...deletedRecordings],
    /** From now on message sends hang unanswered (and are not counted) until `release()`. */
    holdMessages() {
      holding = true;
    },
    release() {
      holding = false;
    },
    /** Message sends taken in while holding. */
    held: () => held.map((h) => h.params),
    /** The next `times` requests (to a path ending in `pathEndsWith`, when given) fail with this Twilio error. */
    failNext(status: number, code: number, message: string, times = 1, pathEndsWith?: string) {
      failNext = { status, code, message, times, pathEndsWith };
    },
    /** The audio every recording plays (a few seconds of silence, MP3). */
    recordingAudio,
    /** Byte ranges of recordings served with 206, as `start-end`. */
    rangesServed,
    /** This recording is gone (deleted at Twilio): its media answers 404. */
    deleteRecording(recordingSid: string) {
      deletedRecordings.add(recordingSid);
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
export type FakeTwilio = Awaited<ReturnType<typeof startFakeTwilio>>;
