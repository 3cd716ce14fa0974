import { readFileSync } from 'node:fs';
import { eq, sql } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeVoicemail } from '../src/core/calls/store-voicemail.js';
import { signFileLink } from '../src/core/files/signed-links.js';
import { conversations, messages } from '../src/db/schema.js';
import { eventually, HOTLINE, randomPhone, startTestApp, TWILIO_ACCOUNT_SID, type TestApp } from './helpers/harness.js';
import { inboundMail, type Mx } from './helpers/inbound-mail.js';
import { callSid, recordingSid } from './voice-helpers.js';

const DOMAIN = 'help.example.org';
const TTL = 120;
let app: TestApp;
let mx: Mx;
let mailConversation: string;
let voiceConversation: { id: string; queueKey: string };
let voicemail: { id: string; recordingSid: string };

type FileEntry = { messageId: string; index: number; kind: string; name: string; size: number | null; url: string; expiresAt: string };

beforeAll(async () => {
  const mail = await inboundMail(DOMAIN);
  mx = mail.mx;
  app = await startTestApp('files', { ...mail.env, FILE_URL_TTL_SECONDS: String(TTL) });
  await mx.sendMail({
    envelope: { from: 'alex.kim@example.net', to: [`it@${DOMAIN}`] },
    raw: readFileSync(new URL('./fixtures/email/attachments.eml', import.meta.url)),
  });
  const m = await eventually(
    async () =>
      (
        await app.sb.deps.db
          .select()
          .from(messages)
          .where(sql`${messages.metadata}->'email'->>'messageId' = '<20261123.attach.9931@laptop.example.net>'`)
      )[0],
  );
  mailConversation = m.conversationId;

  const sid = recordingSid();
  const stored = await storeVoicemail(app.sb.deps, {
    callSid: callSid(),
    from: randomPhone(),
    to: HOTLINE,
    flow: 'main',
    lang: 'en',
    recordingSid: sid,
    mediaUrl: `https://api.twilio.com/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Recordings/${sid}.mp3`,
    durationSeconds: 3,
  });
  const [c] = await app.sb.deps.db.select().from(conversations).where(eq(conversations.id, stored.conversationId!));
  voiceConversation = c;
  const [vm] = await app.sb.deps.db.select().from(messages).where(eq(messages.conversationId, c.id));
  voicemail = { id: vm.id, recordingSid: sid };
}, 60_000);
afterAll(async () => {
  mx?.close();
  await app?.stop();
});

const files = async (conversationId: string, token: string) => {
  return app.api<{ files: FileEntry[] }>('GET', `/api/conversations/${conversationId}/files`, undefined, token);
};
/** Opens a link the way a browser element does: no Authorization header. */
const open = (url: string, headers: Record<string, string> = {}) => fetch(app.url + url, { headers });
const withParam = (url: string, name: string, value: string) => {
  const u = new URL(url, 'http://x');
  u.searchParams.set(name, value);
  return u.pathname + u.search;
};

describe('signed links to attachments', () => {
  it('are issued to an agent who may see the conversation and open without the bearer token', async () => {
    const ivy = await app.agent({ name: 'Ivy', queues: ['it'] });
    const r = await files(mailConversation, ivy.token);
    expect(r.status).toBe(200);
    expect(r.body.files.map((f) => [f.kind, f.name])).toEqual([
      ['attachment', 'screen.png'],
      ['attachment', 'réport.pdf'],
      ['attachment', 'evil.html'],
      ['attachment', 'original.eml'],
    ]);
    const expiresIn = Date.parse(r.body.files[0].expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan((TTL - 10) * 1000);
    expect(expiresIn).toBeLessThanOrEqual(TTL * 1000);

    const pdf = r.body.files[1];
    expect(pdf.url).toMatch(/^\/api\/files\/attachment\/[0-9a-f-]{36}\?expires=\d+&signature=[\w-]+$/);
    const res = await open(pdf.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;.*filename\*=UTF-8''r%C3%A9port\.pdf/);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const sent = (await simpleParser(readFileSync(new URL('./fixtures/email/attachments.eml', import.meta.url)))).attachments[1];
    expect(Buffer.from(await res.arrayBuffer()).equals(sent.content)).toBe(true);
    // A hostile type is still served as opaque bytes through a link.
    const html = await open(r.body.files[2].url);
    expect(html.headers.get('content-type')).toBe('application/octet-stream');
    expect(html.headers.get('content-security-policy')).toContain('sandbox');
  });

  it('answer 403 when forged, tampered with or expired, and 404 for made-up paths', async () => {
    const ivy = await app.agent({ name: 'Ivy', queues: ['it'] });
    const [png, pdf] = (await files(mailConversation, ivy.token)).body.files;
    const sig = new URL(png.url, 'http://x').searchParams.get('signature')!;
    const expires = new URL(png.url, 'http://x').searchParams.get('expires')!;
    const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    // Tampered signature, a later expiry, another file's id under this signature, no signature at all.
    expect((await open(withParam(png.url, 'signature', flipped))).status).toBe(403);
    expect((await open(withParam(png.url, 'expires', String(Number(expires) + 3600)))).status).toBe(403);
    expect((await open(pdf.url.replace(/\?.*/, `?expires=${expires}&signature=${sig}`))).status).toBe(403);
    expect((await open(png.url.replace(/&signature=.*/, ''))).status).toBe(403);
    // Signed with another installation's secret.
    const id = png.url.split('/')[4].split('?')[0];
    const foreign = signFileLink({ files: { urlTtlSeconds: TTL, urlSecret: 'another-installation-secret' } }, 'attachment', id);
    expect((await open(foreign.url)).status).toBe(403);
    // Genuinely signed, but its time is up.
    const old = signFileLink(app.config, 'attachment', id, Date.now() - (TTL + 5) * 1000);
    const expired = await open(old.url);
    expect(expired.status).toBe(403);
    expect((await expired.json()).error.message).toMatch(/expired/);
    // A link for an attachment cannot open the recording of the same id, nor the other way round.
    expect((await open(png.url.replace('/attachment/', '/recording/'))).status).toBe(403);
    expect((await open('/api/files/contract/' + id + '?expires=1&signature=x')).status).toBe(404);
    expect((await open('/api/files/attachment/not-a-uuid?expires=1&signature=x')).status).toBe(404);
    // The genuine link still works.
    expect((await open(png.url)).status).toBe(200);
  });

  it('are not issued to an agent of another queue (403), for an unknown conversation (404) or without a token (401)', async () => {
    const don = await app.agent({ name: 'Don', queues: ['volunteer'] });
    expect((await files(mailConversation, don.token)).status).toBe(403);
    expect((await files('00000000-0000-4000-8000-000000000000', don.token)).status).toBe(404);
    expect((await app.api('GET', `/api/conversations/${mailConversation}/files`, undefined, null)).status).toBe(401);
    expect((await app.api('GET', `/api/conversations/not-a-uuid/files`)).status).toBe(400);
    // A supervisor may (and the look is audited like opening the conversation).
    const sue = await app.agent({ name: 'Sue', queues: [], role: 'supervisor' });
    expect((await files(mailConversation, sue.token)).body.files).toHaveLength(4);
  });
});

describe('recordings', () => {
  it('are shown through our proxy, never by the vendor URL', async () => {
    const detail = await app.api('GET', `/api/conversations/${voiceConversation.id}`);
    const vm = detail.body.messages.find((m: { id: string }) => m.id === voicemail.id);
    expect(vm.media).toEqual([
      { url: `/api/messages/${voicemail.id}/recording`, contentType: 'audio/mpeg', name: `voicemail-${voicemail.recordingSid}.mp3` },
    ]);
    expect(JSON.stringify(detail.body)).not.toContain('api.twilio.com');
  });

  it("stream from Twilio with the account's credentials, whole (200) or by byte range (206)", async () => {
    const agent = await app.agent({ name: 'Vic', queues: [voiceConversation.queueKey] });
    const r = await files(voiceConversation.id, agent.token);
    expect(r.status).toBe(200);
    expect(r.body.files).toEqual([expect.objectContaining({ kind: 'recording', messageId: voicemail.id, index: 0 })]);
    const link = r.body.files[0].url;
    const audio = app.twilio.recordingAudio;

    const whole = await open(link);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('audio/mpeg');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer()).equals(audio)).toBe(true);
    const upstream = app.twilio.requests.filter((q) => q.path.endsWith(`/Recordings/${voicemail.recordingSid}.mp3`));
    expect(upstream.at(-1)).toMatchObject({ method: 'GET', accountSid: TWILIO_ACCOUNT_SID, authUser: TWILIO_ACCOUNT_SID });

    const part = await open(link, { range: 'bytes=1000-1999' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${audio.length}`);
    expect(part.headers.get('content-length')).toBe('1000');
    expect(Buffer.from(await part.arrayBuffer()).equals(audio.subarray(1000, 2000))).toBe(true);

    const open_ = await open(link, { range: 'bytes=5000-' });
    expect(open_.status).toBe(206);
    expect(Buffer.from(await open_.arrayBuffer()).equals(audio.subarray(5000))).toBe(true);
    const tail = await open(link, { range: 'bytes=-144' });
    expect(tail.headers.get('content-range')).toBe(`bytes ${audio.length - 144}-${audio.length - 1}/${audio.length}`);
    expect(Buffer.from(await tail.arrayBuffer()).equals(audio.subarray(audio.length - 144))).toBe(true);
    expect((await open(link, { range: `bytes=${audio.length + 10}-` })).status).toBe(416);

    // The bearer route serves API clients the same way, to agents who may see the conversation.
    const viaApi = await fetch(`${app.url}/api/messages/${voicemail.id}/recording`, {
      headers: { authorization: `Bearer ${agent.token}`, range: 'bytes=0-3' },
    });
    expect(viaApi.status).toBe(206);
    expect(Buffer.from(await viaApi.arrayBuffer()).equals(audio.subarray(0, 4))).toBe(true);
  });

  it('are refused to other queues, and answer 404 once gone at Twilio', async () => {
    const other = await app.agent({ name: 'Oz', queues: ['partner'] });
    expect((await files(voiceConversation.id, other.token)).status).toBe(403);
    const denied = await fetch(`${app.url}/api/messages/${voicemail.id}/recording`, {
      headers: { authorization: `Bearer ${other.token}` },
    });
    expect(denied.status).toBe(403);
    expect((await fetch(`${app.url}/api/messages/${voicemail.id}/recording`)).status).toBe(401);
    // A text message has no recording.
    const [mail] = await app.sb.deps.db.select().from(messages).where(eq(messages.conversationId, mailConversation));
    expect((await app.api('GET', `/api/messages/${mail.id}/recording`)).status).toBe(404);

    const link = (await files(voiceConversation.id, app.adminToken)).body.files[0].url;
    app.twilio.deleteRecording(voicemail.recordingSid);
    expect((await open(link)).status).toBe(404);
  });
});
