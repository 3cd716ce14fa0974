import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { parseEmail, readEmail, trimQuoted } from '../src/channels/email/parse-inbound.js';
import { threadSigner } from '../src/channels/email/threading.js';
import { loadConfig } from '../src/config.js';

const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'unit-test-secret-0123456789', INBOUND_EMAIL_DOMAIN: 'help.example.org' });
const signer = threadSigner(config);

async function fixture(name: string, recipient = 'partner@help.example.org', mailFrom = 'someone@example.com') {
  const raw = readFileSync(new URL(`./fixtures/email/${name}`, import.meta.url));
  const parsed = parseEmail(await simpleParser(raw), raw, { recipient, mailFrom }, signer);
  if (!parsed) throw new Error('not parsed');
  return parsed;
}

describe('reading real-world mail', () => {
  it('a Thunderbird multipart/alternative mail: text body without the signature, sanitised HTML kept, thread root is itself', async () => {
    const { inbound, files } = await fixture('multipart-alternative.eml');
    expect(inbound).toMatchObject({
      channel: 'email',
      // The Message-ID and a digest of the content: a different mail reusing the id is not a redelivery.
      externalId: expect.stringMatching(/^<5f1c2a9e-0b8d-4c1e-9a77-2f3d8e1b6c40@partner-org\.example> sha256:[0-9a-f]{16}$/),
      from: { kind: 'email', value: 'jordan@partner-org.example', name: 'Jordan Lee' },
      inboxAddress: 'partner@help.example.org',
      queueHint: 'partner',
      threadKey: '<5f1c2a9e-0b8d-4c1e-9a77-2f3d8e1b6c40@partner-org.example>',
      subject: 'Co-branding the spring campaign',
      control: undefined,
      conversationId: undefined,
    });
    expect(inbound.body).toContain('Can we use your logo');
    expect(inbound.body).not.toContain('Partnerships');
    const email = (inbound.metadata as any).email;
    expect(email.fullText).toContain('Jordan Lee | Partnerships');
    expect(email.html).toContain('<b>co-brand</b>');
    expect(files.map((f) => f.role)).toEqual(['original']);
  });

  it('an HTML-only mail loses scripts, handlers, javascript: links, remote images, iframes and forms', async () => {
    const { inbound } = await fixture('html-only.eml', 'donations@help.example.org');
    const html = (inbound.metadata as any).email.html as string;
    for (const bad of [
      '<script',
      'alert',
      'onload',
      'javascript:',
      '<img',
      'tracker.example.net',
      '<iframe',
      '<form',
      '<style',
      '<input',
    ]) {
      expect(html).not.toContain(bad);
    }
    expect(html).toContain('href="https://example.com/order/4471"');
    expect(html).toContain('rel="noopener noreferrer nofollow"');
    expect(inbound.body).toContain('I donated last week but never got a');
    expect(inbound.body).not.toContain('<');
    expect(inbound.queueHint).toBe('donations');
  });

  it('attachments keep their names, types and sizes (RFC 2231 names decoded)', async () => {
    const { inbound, files } = await fixture('attachments.eml', 'it@help.example.org');
    expect(inbound.body).toBe('My laptop shows this error at boot. Screenshot and the report attached.');
    const [png, pdf, html, original] = files;
    expect(png).toMatchObject({ role: 'attachment', filename: 'screen.png', contentType: 'image/png' });
    expect(png.data!.subarray(0, 4).toString('hex')).toBe('89504e47');
    expect(pdf).toMatchObject({ filename: 'réport.pdf', contentType: 'application/pdf' });
    expect(pdf.size).toBe(pdf.data!.length);
    expect(html).toMatchObject({ filename: 'evil.html', contentType: 'text/html' });
    expect(original).toMatchObject({ role: 'original', contentType: 'message/rfc822' });
  });

  it('an ISO-8859-1 mail is decoded, and the German quote header trimmed', async () => {
    const { inbound } = await fixture('iso-8859-1.eml', 'volunteer@help.example.org');
    expect(inbound.from).toMatchObject({ value: 'juergen@example.de', name: 'Jürgen Müller' });
    expect(inbound.subject).toBe('Frage zur Schichtübergabe');
    expect(inbound.body).toContain('Grüße aus Köln');
    expect(inbound.body).not.toContain('Danke für Ihre Anmeldung');
    expect((inbound.metadata as any).email.fullText).toContain('Danke für Ihre Anmeldung');
  });

  it('an Outlook reply (windows-1252) keeps only the new text and threads on its References root', async () => {
    const { inbound } = await fixture('outlook-reply.eml');
    expect(inbound.body).toBe('Great – we will send the artwork for approval first.');
    expect(inbound.threadKey).toBe('<5f1c2a9e-0b8d-4c1e-9a77-2f3d8e1b6c40@partner-org.example>');
    expect(inbound.conversationId).toBeUndefined();
  });

  it('out-of-office replies and delivery reports are control messages', async () => {
    const ooo = await fixture('auto-reply.eml', 'donations@help.example.org');
    expect(ooo.inbound.control).toBe('auto-reply');
    const dsn = await fixture('dsn.eml', 'partner@help.example.org', '');
    expect(dsn.inbound.control).toBe('auto-reply');
    expect((dsn.inbound.metadata as any).email.autoReply).toMatch(/auto-submitted|delivery report/);
  });

  it('a person writing plainly is not an auto-reply; the null sender or Precedence: bulk is', async () => {
    const raw = (headers: string) =>
      Buffer.from(
        `${headers}From: a@example.com\r\nTo: it@help.example.org\r\nMessage-ID: <x${Math.random()}@example.com>\r\nSubject: hi\r\n\r\nhello\r\n`,
      );
    const parse = async (headers: string, mailFrom = 'a@example.com') => {
      const r = raw(headers);
      return parseEmail(await simpleParser(r), r, { recipient: 'it@help.example.org', mailFrom }, signer)!.inbound.control;
    };
    expect(await parse('Auto-Submitted: no\r\n')).toBeUndefined();
    expect(await parse('')).toBeUndefined();
    expect(await parse('Precedence: bulk\r\n')).toBe('auto-reply');
    expect(await parse('Precedence: list\r\n')).toBe('auto-reply');
    expect(await parse('', '')).toBe('auto-reply');
  });
});

describe('threading ids', () => {
  it('a signed Message-ID names its conversation; any change to it is rejected', () => {
    const conv = '3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e';
    const msg = '11111111-2222-4333-8444-555555555555';
    const id = signer.messageIdFor(conv, msg);
    expect(id).toMatch(/^<sb\.[0-9a-f-]{36}\.[0-9a-f-]{36}\.[A-Za-z0-9_-]{22}@help\.example\.org>$/);
    expect(signer.conversationOf(id)).toBe(conv);
    const otherConv = 'aaaaaaaa-4d5a-4b6c-8d7e-9f0a1b2c3d4e';
    expect(signer.conversationOf(id.replace(conv, otherConv))).toBeUndefined();
    const mac = id.split('.')[3].split('@')[0];
    const flipped = mac.slice(0, -1) + (mac.endsWith('A') ? 'B' : 'A');
    expect(signer.conversationOf(id.replace(mac, flipped))).toBeUndefined();
    const otherKey = threadSigner({ ...config, jwtSecret: 'another-secret-0123456789' });
    expect(otherKey.conversationOf(id)).toBeUndefined();
    expect(signer.conversationOf('<random@example.com>')).toBeUndefined();
  });

  it('a reply naming our Message-ID carries the conversation id', async () => {
    const conv = '3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e';
    const ours = signer.messageIdFor(conv, '11111111-2222-4333-8444-555555555555');
    const r = Buffer.from(
      `From: a@example.com\r\nTo: it@help.example.org\r\nMessage-ID: <r1@example.com>\r\nIn-Reply-To: ${ours}\r\nReferences: <root@example.com> ${ours}\r\nSubject: Re: hi\r\n\r\nthanks\r\n`,
    );
    const parsed = parseEmail(await simpleParser(r), r, { recipient: 'it@help.example.org', mailFrom: 'a@example.com' }, signer)!;
    expect(parsed.inbound.conversationId).toBe(conv);
    expect(parsed.inbound.threadKey).toBe('<root@example.com>');
  });
});

describe('mail loops', () => {
  it('our own signed mail coming back is a control message', async () => {
    const ours = signer.messageIdFor('3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e', '11111111-2222-4333-8444-555555555555');
    const r = Buffer.from(
      `From: desk@help.example.org\r\nTo: it@help.example.org\r\nMessage-ID: ${ours}\r\nSubject: Re: hi\r\n\r\nour reply\r\n`,
    );
    const parsed = parseEmail(await simpleParser(r), r, { recipient: 'it@help.example.org', mailFrom: 'desk@help.example.org' }, signer)!;
    expect(parsed.inbound.control).toBe('auto-reply');
  });
});

describe('trimming quoted history', () => {
  it.each([
    ['Thanks!\n\nOn Mon, Nov 23, 2026 at 9:00 AM Desk <d@x.org> wrote:\n> old', 'Thanks!'],
    ['Thanks!\n\nOn Mon, Nov 23, 2026 at 9:00 AM Desk <d@x.org>\nwrote:\n> old', 'Thanks!'],
    ['Ok\n-----Original Message-----\nFrom: x', 'Ok'],
    ['Ok\n\n-- \nJane\nCEO', 'Ok'],
    ['Ok\n\nLe lun. 23 nov. 2026 à 09:00, Desk <d@x.org> a écrit :\n> vieux', 'Ok'],
    // Inline answers stay; only the trailing quoted block goes.
    ['> question?\nanswer inline\n> more', '> question?\nanswer inline'],
  ])('%j → %j', (input, want) => {
    expect(trimQuoted(input)).toBe(want);
  });
});

describe('real-world shapes (test/fixtures/email)', () => {
  const read = (name: string, recipient = 'help@help.example.org') =>
    readEmail(readFileSync(new URL(`./fixtures/email/${name}`, import.meta.url)), { recipient, mailFrom: 'x@example.com' }, signer).then(
      (p) => p!,
    );

  it('Outlook: HTML as the only text inside multipart/mixed becomes readable text, not a blank message', async () => {
    const { inbound, files } = await read('html-only-mixed.eml');
    expect(inbound.body).toContain('I gave $150 on 3 March but the receipt never arrived.');
    expect(inbound.body).toContain('Could you resend it?');
    expect(inbound.body).not.toMatch(/<|margin/);
    expect(files.map((f) => f.filename)).toEqual(['bank-statement.pdf', 'original.eml']);
  });

  it('Apple Mail: HTML inside multipart/related, the inline image kept as a file and not in the text', async () => {
    const { inbound, files } = await read('html-only-related.eml');
    expect(inbound.body).toMatch(/^I ordered an M and got an XL\.\n+Can I swap it\?$/);
    expect(files[0]).toMatchObject({ filename: 'hoodie.png', contentType: 'image/png' });
  });

  it('a forwarded message (message/rfc822) is shown inline under its own headers, after the cover note', async () => {
    const { inbound, files } = await read('forwarded-attached.eml');
    expect(inbound.body).toBe(
      [
        'See below, can you help?',
        '',
        '---------- Forwarded message ----------',
        'From: Accounts <accounts@vendor.example>',
        'Date: Wed, 11 Mar 2026 16:00:00 GMT',
        'Subject: Invoice dispute',
        '',
        'Invoice 5521 was charged twice. Please confirm which payment to refund.',
      ].join('\n'),
    );
    expect(files.map((f) => f.contentType)).toEqual(['message/rfc822', 'message/rfc822']);
  });

  it('Outlook TNEF (winmail.dat): the body and the files inside it are recovered', async () => {
    const { inbound, files } = await read('winmail-dat.eml');
    expect(inbound.body).toBe('Hi team,\nthe signed volunteer form is attached.\nRegards, Ana');
    const form = files.find((f) => f.filename === 'volunteer-form.pdf');
    expect(form?.data?.toString()).toContain('%PDF-1.4');
    // The winmail.dat itself stays attached too.
    expect(files.map((f) => f.filename)).toContain('winmail.dat');
  });

  it('an encrypted mail (OpenPGP or S/MIME) is labelled as such instead of showing nothing', async () => {
    const pgp = await read('pgp-encrypted.eml');
    expect(pgp.inbound.body).toMatch(/^\[Encrypted mail \(OpenPGP\)/);
    expect((pgp.inbound.metadata as any).email.encrypted).toBe('OpenPGP');
    const smime = await read('smime-encrypted.eml');
    expect(smime.inbound.body).toMatch(/^\[Encrypted mail \(S\/MIME\)/);
  });

  it('the same mail redelivered keeps its delivery id; a different mail reusing the Message-ID gets another', async () => {
    const raw = readFileSync(new URL('./fixtures/email/html-only-mixed.eml', import.meta.url));
    const env = { recipient: 'donations@help.example.org', mailFrom: 'priya@outlook-user.example' };
    const first = (await readEmail(raw, env, signer))!.inbound.externalId;
    // A relay added a trace header: still the same mail.
    const relayed = (await readEmail(Buffer.concat([Buffer.from('Received: from relay.example by mx\r\n'), raw]), env, signer))!.inbound;
    expect(relayed.externalId).toBe(first);
    const other = Buffer.from(raw.toString().replace('Could you resend it?', 'Never mind, found it.'));
    const reused = (await readEmail(other, env, signer))!.inbound;
    expect(reused.externalId).not.toBe(first);
    expect((reused.metadata as any).email.messageId).toBe('<DM6PR11MB4561A1B2C3D4E5F6@DM6PR11MB4561.namprd11.prod.outlook.example>');
  });
});
