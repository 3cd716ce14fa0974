import { readFileSync } from 'node:fs';
import { and, eq, sql } from 'drizzle-orm';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { threadSigner } from '../src/channels/email/threading.js';
import { attachments, conversations, messages } from '../src/db/schema.js';
import { startSmtpSink, type SmtpSink } from './fakes/smtp-sink.js';
import { eventually, startTestApp, type TestApp } from './helpers/harness.js';
import { inboundMail, type Mx } from './helpers/inbound-mail.js';

const DOMAIN = 'help.example.org';
let app: TestApp;
let sink: SmtpSink;
let mx: Mx;

beforeAll(async () => {
  sink = await startSmtpSink();
  const mail = await inboundMail(DOMAIN);
  // The sending side of the internet: a real SMTP client talking to our inbound port.
  mx = mail.mx;
  app = await startTestApp('email-channel', { ...mail.env, SMTP_URL: sink.url, MAIL_FROM: 'Helpdesk <desk@help.example.org>' });
}, 60_000);
afterAll(async () => {
  mx?.close();
  await app?.stop();
  await sink?.close();
});

const fixture = (name: string) => readFileSync(new URL(`./fixtures/email/${name}`, import.meta.url));
const db = () => app.sb.deps.db;
const conversationsOf = (address: string) =>
  db().execute(
    sql`select c.* from conversations c join contact_identities i on i.contact_id = c.contact_id where i.kind = 'email' and i.value = ${address} order by c.created_at`,
  );
/** Inbound mail is keyed by Message-ID *and* a content digest; look it up by the Message-ID it carried. */
const byMessageId = (id: string) => sql`${messages.metadata}->'email'->>'messageId' = ${id}`;
const messageByExternalId = async (id: string) =>
  (
    await db()
      .select()
      .from(messages)
      .where(and(eq(messages.channel, 'email'), byMessageId(id)))
  )[0];

describe('a partner emails partner@', () => {
  it('reaches the partner queue; the agent replies by mail in the thread; the partner answers into the same conversation', async () => {
    const pia = await app.agent({ name: 'Pia', queues: ['partner'] });
    const sock = await app.socket(pia.token);
    const sent = await mx.sendMail({
      envelope: { from: 'jordan@partner-org.example', to: [`partner@${DOMAIN}`] },
      raw: fixture('multipart-alternative.eml'),
    });
    expect(sent.response).toMatch(/^250/);

    const offer = await sock.waitFor('reservation.created', (p) => p.channel === 'email');
    expect(offer).toMatchObject({ queue: 'partner', contact: { address: 'jordan@partner-org.example' } });
    await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, pia.token);
    const detail = await app.api('GET', `/api/conversations/${offer.conversationId}`, undefined, pia.token);
    expect(detail.body.conversation).toMatchObject({
      channel: 'email',
      subject: 'Co-branding the spring campaign',
      inboxAddress: `partner@${DOMAIN}`,
    });
    expect(detail.body.messages[0].body).toContain('Can we use your logo');
    expect(detail.body.messages[0].body).not.toContain('Partnerships');
    // The original .eml is kept and listed.
    expect(detail.body.messages[0].media).toEqual([expect.objectContaining({ name: 'original.eml', contentType: 'message/rfc822' })]);

    const reply = await app.api(
      'POST',
      `/api/conversations/${offer.conversationId}/messages`,
      { body: 'Yes <of course> — use the logo.\nThanks!' },
      pia.token,
    );
    expect(reply.status).toBe(201);
    const out = await eventually(() => sink.mails.find((m) => m.mail.text?.includes('use the logo')));
    const originalId = '<5f1c2a9e-0b8d-4c1e-9a77-2f3d8e1b6c40@partner-org.example>';
    expect(out.envelope.to).toEqual(['jordan@partner-org.example']);
    expect(out.mail.subject).toBe('Re: Co-branding the spring campaign');
    expect(out.mail.inReplyTo).toBe(originalId);
    expect(out.mail.references).toBe(originalId);
    expect(out.mail.from?.value[0]).toMatchObject({ address: 'desk@help.example.org', name: expect.stringContaining('Pia') });
    expect(out.mail.replyTo?.value[0]?.address).toBe(`partner@${DOMAIN}`);
    expect(out.mail.html).toContain('Yes &lt;of course&gt;');
    expect(out.mail.messageId).toMatch(new RegExp(`^<sb\\.${offer.conversationId}\\.`));
    expect(threadSigner(app.config).conversationOf(out.mail.messageId!)).toBe(offer.conversationId);
    const stored = await eventually(async () => {
      const m = (await db().select().from(messages).where(eq(messages.id, reply.body.message.id)))[0];
      return m?.status === 'sent' ? m : undefined;
    });
    expect(stored.externalId).toBe(out.mail.messageId);

    // The partner answers the agent's mail, quoting it.
    const answer = await mx.sendMail({
      from: 'Jordan Lee <jordan@partner-org.example>',
      to: `partner@${DOMAIN}`,
      subject: 'Re: Co-branding the spring campaign',
      inReplyTo: out.mail.messageId,
      references: [originalId, out.mail.messageId!],
      text: 'Wonderful, thank you!\n\nOn Mon, Nov 23, 2026 at 2:00 PM Pia <desk@help.example.org> wrote:\n> Yes, use the logo.',
    });
    expect(answer.response).toMatch(/^250/);
    const pushed = await sock.waitFor('message.created', (p) => p.message.body === 'Wonderful, thank you!');
    expect(pushed.conversationId).toBe(offer.conversationId);
    expect(pushed.message.metadata.email.fullText).toContain('> Yes, use the logo.');
    expect((await conversationsOf('jordan@partner-org.example')).length).toBe(1);
  });

  it('the same Message-ID delivered twice is stored once', async () => {
    const raw = fixture('iso-8859-1.eml');
    const a = await mx.sendMail({ envelope: { from: 'juergen@example.de', to: [`volunteer@${DOMAIN}`] }, raw });
    const b = await mx.sendMail({ envelope: { from: 'juergen@example.de', to: [`volunteer@${DOMAIN}`] }, raw });
    expect(a.response).toMatch(/^250/);
    expect(b.response).toMatch(/^250/);
    const rows = await db().select().from(messages).where(byMessageId('<latin1.20261123.5512@mail.example.de>'));
    expect(rows).toHaveLength(1);
    expect(rows[0].body).toContain('Grüße aus Köln');
    const [conv] = await db().select().from(conversations).where(eq(conversations.id, rows[0].conversationId));
    expect(conv).toMatchObject({ queueKey: 'volunteer', subject: 'Frage zur Schichtübergabe' });

    // Two MX hosts delivering the same mail at the same moment.
    const raw2 = Buffer.from(
      `From: twin@example.com\r\nTo: it@${DOMAIN}\r\nMessage-ID: <twin-1@example.com>\r\nSubject: twice\r\n\r\nsame mail\r\n`,
    );
    const [x, y] = await Promise.all(
      [0, 1].map(() => mx.sendMail({ envelope: { from: 'twin@example.com', to: [`it@${DOMAIN}`] }, raw: raw2 })),
    );
    expect([x!.response, y!.response].every((r) => r.startsWith('250'))).toBe(true);
    expect(await db().select().from(messages).where(byMessageId('<twin-1@example.com>'))).toHaveLength(1);
    expect(await conversationsOf('twin@example.com')).toHaveLength(1);

    // Some mailers reuse a Message-ID for a different mail: that one is stored, not dropped as a redelivery.
    const reused = Buffer.from(raw2.toString().replace('same mail', 'a different question'));
    const z = await mx.sendMail({ envelope: { from: 'twin@example.com', to: [`it@${DOMAIN}`] }, raw: reused });
    expect(z.response).toMatch(/^250/);
    const both = await db().select().from(messages).where(byMessageId('<twin-1@example.com>'));
    expect(both.map((m) => m.body).sort()).toEqual(['a different question', 'same mail']);
  });
});

describe('outbound mail the relay refuses', () => {
  it('a 5xx from the relay marks the reply failed and it is not retried', async () => {
    const ola = await app.agent({ name: 'Ola', queues: ['it'] });
    const sock = await app.socket(ola.token);
    await mx.sendMail({ from: 'gone@example.com', to: `it@${DOMAIN}`, subject: 'Printer', text: 'The printer jams.' });
    const offer = await sock.waitFor('reservation.created', (p) => p.contact.address === 'gone@example.com');
    await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, ola.token);
    sink.failWith = 550;
    try {
      const before = sink.mails.length;
      const reply = await app.api(
        'POST',
        `/api/conversations/${offer.conversationId}/messages`,
        { body: 'Have you tried turning it off?' },
        ola.token,
      );
      const failed = await eventually(async () => {
        const m = (await db().select().from(messages).where(eq(messages.id, reply.body.message.id)))[0];
        return m?.status === 'failed' ? m : undefined;
      });
      expect(failed.error).toContain('550');
      expect(sink.mails.length).toBe(before);
    } finally {
      sink.failWith = undefined;
    }
  });
});

describe('answers to a resolved conversation', () => {
  it('open a new conversation, and later answers to the same old mail join it (none is lost)', async () => {
    const uma = await app.agent({ name: 'Uma', queues: ['partner'] });
    const sock = await app.socket(uma.token);
    await mx.sendMail({
      from: 'old@example.com',
      to: `partner@${DOMAIN}`,
      subject: 'Logo',
      text: 'first',
      messageId: '<old-root@example.com>',
    });
    const offer = await sock.waitFor('reservation.created', (p) => p.contact.address === 'old@example.com');
    await app.api('POST', `/api/reservations/${offer.reservationId}/accept`, undefined, uma.token);
    await app.api('POST', `/api/conversations/${offer.conversationId}/messages`, { body: 'Answered, closing.' }, uma.token);
    const ours = (await eventually(() => sink.mails.find((m) => m.mail.text?.includes('Answered, closing.')))).mail.messageId!;
    await app.api('POST', `/api/conversations/${offer.conversationId}/resolve`, {}, uma.token);
    for (const n of [2, 3]) {
      const r = await mx.sendMail({
        from: 'old@example.com',
        to: `partner@${DOMAIN}`,
        subject: 'Re: Logo',
        text: `answer ${n}`,
        messageId: `<old-${n}@example.com>`,
        inReplyTo: ours,
        references: ['<old-root@example.com>', ours],
      });
      expect(r.response).toMatch(/^250/);
    }
    const m2 = await eventually(() => messageByExternalId('<old-2@example.com>'));
    const m3 = await eventually(() => messageByExternalId('<old-3@example.com>'));
    expect(m2.conversationId).not.toBe(offer.conversationId);
    expect(m3.conversationId).toBe(m2.conversationId);
  });
});

describe('mapping addresses to queues', () => {
  it('an email inbox wins; otherwise <queue>@ names the queue; any other local part goes to donor', async () => {
    const inbox = await app.api('POST', '/api/inboxes', { kind: 'email', address: `hello@${DOMAIN}`, queue: 'it' });
    expect(inbox.status).toBe(201);
    const send = (to: string, from: string) => mx.sendMail({ from, to, subject: `to ${to}`, text: 'hi' });
    await send(`hello@${DOMAIN}`, 'a1@example.com');
    await send(`IT@${DOMAIN}`, 'a2@example.com');
    await send(`whatever@${DOMAIN}`, 'a3@example.com');
    await send(`crisis+urgent@${DOMAIN}`, 'a4@example.com');
    const queueOf = async (from: string) => ((await conversationsOf(from))[0] as { queue_key: string } | undefined)?.queue_key;
    expect(await queueOf('a1@example.com')).toBe('it');
    expect(await queueOf('a2@example.com')).toBe('it');
    expect(await queueOf('a3@example.com')).toBe('donor');
    expect(await queueOf('a4@example.com')).toBe('crisis');
  });
});

describe('bad mail is refused or kept out of conversations', () => {
  it('mail for another domain is refused at RCPT with 550 and nothing is stored', async () => {
    const before = await db()
      .select({ n: sql<number>`count(*)::int` })
      .from(messages);
    const err = await mx
      .sendMail({ from: 'spammer@example.com', to: 'victim@elsewhere.example', subject: 'relay?', text: 'x' })
      .catch((e: { responseCode?: number; code?: string }) => e);
    expect(err).toMatchObject({ code: 'EENVELOPE', responseCode: 550 });
    const after = await db()
      .select({ n: sql<number>`count(*)::int` })
      .from(messages);
    expect(after[0].n).toBe(before[0].n);
    expect(await conversationsOf('spammer@example.com')).toHaveLength(0);
  });

  it('a 30 MB mail is refused with 552 and nothing is stored', async () => {
    const big = Buffer.alloc(30 * 1024 * 1024, 'a');
    const err = await mx
      .sendMail({
        from: 'big@example.com',
        to: `it@${DOMAIN}`,
        subject: 'huge',
        text: 'see attached',
        attachments: [{ filename: 'big.bin', content: big }],
      })
      .catch((e: { responseCode?: number }) => e);
    expect(err).toMatchObject({ responseCode: 552 });
    expect(await conversationsOf('big@example.com')).toHaveLength(0);
  }, 60_000);

  it('the SIZE limit is advertised in EHLO', async () => {
    const { connect } = await import('node:net');
    const lines = await new Promise<string>((resolve) => {
      const s = connect(app.config.mail.inboundPort, '127.0.0.1');
      let buf = '';
      s.on('data', (d) => {
        buf += d.toString();
        if (buf.startsWith('220') && !buf.includes('EHLO-SENT')) {
          buf += 'EHLO-SENT';
          s.write('EHLO test.example\r\n');
        }
        if (/\r\n250 [^\r\n]*\r\n$/.test(buf)) {
          s.end('QUIT\r\n');
          resolve(buf);
        }
      });
    });
    // The default since issue 18: 10 MB (it was 25).
    expect(lines).toContain(`SIZE ${10 * 1024 * 1024}`);
  });

  it('out-of-office replies and bounces never open a conversation nor trigger mail', async () => {
    const mailsBefore = sink.mails.length;
    const ooo = await mx.sendMail({
      envelope: { from: 'sam.rivera@example.com', to: [`donations@${DOMAIN}`] },
      raw: fixture('auto-reply.eml'),
    });
    const dsn = await mx.sendMail({ envelope: { from: '', to: [`partner@${DOMAIN}`] }, raw: fixture('dsn.eml') });
    expect(ooo.response).toMatch(/^250/);
    expect(dsn.response).toMatch(/^250/);
    expect(await conversationsOf('sam.rivera@example.com')).toHaveLength(0);
    expect(await conversationsOf('mailer-daemon@mx.partner-org.example')).toHaveLength(0);
    expect(await messageByExternalId('<ooo.77120@example.com>')).toBeUndefined();
    expect(await messageByExternalId('<dsn.20261123.0042@mx.partner-org.example>')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.mails.length).toBe(mailsBefore);
  });

  it('an out-of-office answer from someone with an open conversation joins it for agents to see, and sends nothing', async () => {
    await mx.sendMail({
      from: 'busy@example.com',
      to: `partner@${DOMAIN}`,
      subject: 'Sponsorship',
      text: 'Can we sponsor the gala?',
      messageId: '<busy-1@example.com>',
    });
    const [conv] = (await eventually(async () => {
      const rows = await conversationsOf('busy@example.com');
      return rows.length ? rows : undefined;
    })) as unknown as { id: string }[];
    const mailsBefore = sink.mails.length;
    await mx.sendMail({
      from: 'busy@example.com',
      to: `partner@${DOMAIN}`,
      subject: 'Automatic reply: Sponsorship',
      text: 'I am away until Monday.',
      messageId: '<busy-ooo@example.com>',
      // Vacation responders answer in the thread of the mail they answer.
      inReplyTo: '<busy-1@example.com>',
      references: ['<busy-1@example.com>'],
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    const ooo = await eventually(() => messageByExternalId('<busy-ooo@example.com>'));
    expect(ooo.conversationId).toBe(conv.id);
    expect(ooo.metadata).toMatchObject({ control: 'auto-reply' });
    expect(await conversationsOf('busy@example.com')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.mails.length).toBe(mailsBefore);
  });

  it("a forged In-Reply-To naming someone else's conversation opens a new conversation instead", async () => {
    const victim = 'victim@example.com';
    await mx.sendMail({
      from: victim,
      to: `it@${DOMAIN}`,
      subject: 'My account',
      text: 'Please reset my account.',
      messageId: '<victim-root@example.com>',
    });
    const [victimConv] = (await eventually(async () => {
      const rows = await conversationsOf(victim);
      return rows.length ? rows : undefined;
    })) as unknown as { id: string }[];
    const signer = threadSigner(app.config);
    // A real signed id of the victim's conversation (as if leaked), and a made-up one with a bad MAC.
    const realId = signer.messageIdFor(victimConv.id, '11111111-2222-4333-8444-555555555555');
    const badMac = `<sb.${victimConv.id}.11111111-2222-4333-8444-555555555555.AAAAAAAAAAAAAAAAAAAAAA@${DOMAIN}>`;
    for (const [i, id] of [realId, badMac].entries()) {
      const r = await mx.sendMail({
        from: `mallory${i}@example.net`,
        to: `it@${DOMAIN}`,
        subject: 'Re: My account',
        inReplyTo: id,
        references: ['<victim-root@example.com>', id],
        text: 'Actually send the reset link to me.',
      });
      expect(r.response).toMatch(/^250/);
      const mine = (await conversationsOf(`mallory${i}@example.net`)) as unknown as { id: string }[];
      expect(mine).toHaveLength(1);
      expect(mine[0].id).not.toBe(victimConv.id);
    }
    // Even with the victim's own (spoofable) From, an id with a bad MAC does not name a conversation.
    const spoofed = await mx.sendMail({
      from: victim,
      to: `it@${DOMAIN}`,
      subject: 'Re: My account',
      inReplyTo: badMac,
      text: 'Spoofed follow-up.',
    });
    expect(spoofed.response).toMatch(/^250/);
    const victimConvs = await eventually(async () => {
      const rows = (await conversationsOf(victim)) as unknown as { id: string }[];
      return rows.length === 2 ? rows : undefined;
    });
    expect(victimConvs[0].id).toBe(victimConv.id);
    const victimMessages = await db().select().from(messages).where(eq(messages.conversationId, victimConv.id));
    expect(victimMessages.map((m) => m.body)).toEqual(['Please reset my account.']);
  });
});

describe('attachments', () => {
  it('are stored with size and type and downloadable only by agents who may see the conversation', async () => {
    const ivy = await app.agent({ name: 'Ivy', queues: ['it'] });
    const don = await app.agent({ name: 'Don', queues: ['donor'] });
    await mx.sendMail({ envelope: { from: 'alex.kim@example.net', to: [`it@${DOMAIN}`] }, raw: fixture('attachments.eml') });
    const m = await eventually(() => messageByExternalId('<20261123.attach.9931@laptop.example.net>'));
    expect(m.media.map((x) => [x.name, x.contentType])).toEqual([
      ['screen.png', 'image/png'],
      ['réport.pdf', 'application/pdf'],
      ['evil.html', 'text/html'],
      ['original.eml', 'message/rfc822'],
    ]);
    const rows = await db().select().from(attachments).where(eq(attachments.messageId, m.id));
    expect(rows).toHaveLength(4);
    const sentPdf = (await simpleParser(fixture('attachments.eml'))).attachments[1].content;
    expect(rows.find((r) => r.filename === 'réport.pdf')!.size).toBe(sentPdf.length);

    const get = (url: string, token?: string) => fetch(app.url + url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const pdf = await get(m.media[1].url, ivy.token);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toMatch(/^attachment;.*filename\*=UTF-8''r%C3%A9port\.pdf/);
    expect(Buffer.from(await pdf.arrayBuffer()).equals(sentPdf)).toBe(true);
    const html = await get(m.media[2].url, ivy.token);
    expect(html.headers.get('content-type')).toBe('application/octet-stream');
    expect(html.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await get(m.media[1].url, don.token)).status).toBe(403);
    expect((await get(m.media[1].url)).status).toBe(401);
    expect((await get('/api/attachments/00000000-0000-4000-8000-000000000000', ivy.token)).status).toBe(404);
  });
});
