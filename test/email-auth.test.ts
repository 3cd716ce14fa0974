import { generateKeyPairSync } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRelay } from '../src/channels/email/sender-auth.js';
import { conversations, messages } from '../src/db/schema.js';
import { eventually, modulesWithDns, startTestApp, type TestApp } from './helpers/harness.js';
import { inboundMail, type Mx } from './helpers/inbound-mail.js';

/**
 * Issue 18: inbound mail is authenticated (SPF, DKIM, DMARC, with DNS stubbed here), and a mail
 * that fails DMARC in a known contact's name opens a conversation of its own, flagged, instead
 * of joining theirs. Mail goes through the real inbound SMTP server, signed by nodemailer.
 */
const DOMAIN = 'auth.example.org';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const DKIM_KEY = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const DKIM_PUBLIC = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

/** The DNS of the sending side: donor.example signs with DKIM, allows 127.0.0.1 by SPF and publishes DMARC p=reject. */
const ZONE: Record<string, string[][]> = {
  'TXT donor.example': [['v=spf1 ip4:127.0.0.1 -all']],
  'TXT mail._domainkey.donor.example': [[`v=DKIM1; k=rsa; p=${DKIM_PUBLIC}`]],
  'TXT _dmarc.donor.example': [['v=DMARC1; p=reject; adkim=r; aspf=r']],
  // A domain without DMARC: nothing to decide on.
  'TXT nodmarc.example': [['v=spf1 ip4:127.0.0.1 -all']],
};
const lookups: string[] = [];
async function resolver(name: string, rrtype: string): Promise<string[][]> {
  lookups.push(`${rrtype} ${name}`);
  const answer = ZONE[`${rrtype} ${name.toLowerCase()}`];
  if (!answer) throw Object.assign(new Error(`query${rrtype} ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  return answer;
}

let app: TestApp;
let mx: Mx;
let signedMx: Mx;
beforeAll(async () => {
  const mail = await inboundMail(DOMAIN);
  mx = mail.mx;
  app = await startTestApp('email-auth', mail.env, { modules: modulesWithDns(resolver) });
  signedMx = nodemailer.createTransport({
    host: '127.0.0.1',
    port: mail.port,
    secure: false,
    ignoreTLS: true,
    dkim: { domainName: 'donor.example', keySelector: 'mail', privateKey: DKIM_KEY },
  });
}, 60_000);
afterAll(async () => {
  mx?.close();
  signedMx?.close();
  await app?.stop();
});

const db = () => app.sb.deps.db;
const messageById = async (messageId: string) =>
  (
    await db()
      .select()
      .from(messages)
      .where(and(eq(messages.channel, 'email'), sql`${messages.metadata}->'email'->>'messageId' = ${messageId}`))
  )[0];
const conversationsOf = (address: string) =>
  db().execute<{ id: string; tags: string[]; metadata: Record<string, unknown> }>(
    sql`select c.* from conversations c join contact_identities i on i.contact_id = c.contact_id where i.kind = 'email' and i.value = ${address} order by c.created_at`,
  );

describe('sender authentication on receipt', () => {
  it('a signed mail passes; a forgery in the same donor’s name opens its own flagged conversation and never joins the thread', async () => {
    const donor = 'ana@donor.example';
    const first = await signedMx.sendMail({
      envelope: { from: donor, to: [`donor@${DOMAIN}`] },
      from: `Ana Donor <${donor}>`,
      to: `donor@${DOMAIN}`,
      subject: 'My monthly gift',
      messageId: '<gift-1@donor.example>',
      text: 'Please raise my monthly gift to $50.',
    });
    expect(first.response).toMatch(/^250/);
    const genuine = await eventually(() => messageById('<gift-1@donor.example>'));
    expect(genuine.metadata.email).toMatchObject({ auth: { verdict: 'pass', dmarc: 'pass', dkim: 'pass', spf: 'pass', via: 'checked' } });
    expect(lookups).toContain('TXT mail._domainkey.donor.example');
    const [open] = await db().select().from(conversations).where(eq(conversations.id, genuine.conversationId));
    expect(open.tags).not.toContain('unverified-sender');

    // Someone else writes "as Ana" (no signature, from a client donor.example's SPF does not allow
    // for the envelope domain), replying into her thread to slip into her open conversation.
    const forged = await mx.sendMail({
      envelope: { from: 'bounce@attacker.example', to: [`donor@${DOMAIN}`] },
      from: `Ana Donor <${donor}>`,
      to: `donor@${DOMAIN}`,
      subject: 'Re: My monthly gift',
      messageId: '<forged-1@attacker.example>',
      inReplyTo: '<gift-1@donor.example>',
      references: ['<gift-1@donor.example>'],
      text: 'Change of plan: send my refund to this new account.',
    });
    expect(forged.response).toMatch(/^250/);
    const fake = await eventually(() => messageById('<forged-1@attacker.example>'));
    expect(fake.metadata.email).toMatchObject({ auth: { verdict: 'fail', dmarc: 'fail', domain: 'donor.example' } });
    expect(fake.conversationId).not.toBe(genuine.conversationId);
    const convs = await conversationsOf(donor);
    expect(convs).toHaveLength(2);
    const flagged = convs.find((c) => c.id === fake.conversationId)!;
    expect(flagged.tags).toEqual(['unverified-sender']);
    expect(flagged.metadata).toMatchObject({ unverifiedSender: true });
    // Ana's own conversation holds only her mail.
    const inOpen = await db().select().from(messages).where(eq(messages.conversationId, genuine.conversationId));
    expect(inOpen.map((m) => m.body)).toEqual(['Please raise my monthly gift to $50.']);

    // A second forgery does not join the first one either: each is on its own.
    await mx.sendMail({
      envelope: { from: 'bounce@attacker.example', to: [`donor@${DOMAIN}`] },
      from: donor,
      to: `donor@${DOMAIN}`,
      subject: 'Re: My monthly gift',
      messageId: '<forged-2@attacker.example>',
      references: ['<gift-1@donor.example>'],
      text: 'Hurry please.',
    });
    const fake2 = await eventually(() => messageById('<forged-2@attacker.example>'));
    expect(new Set([genuine.conversationId, fake.conversationId, fake2.conversationId]).size).toBe(3);

    // Ana's real follow-up still joins her own conversation.
    await signedMx.sendMail({
      envelope: { from: donor, to: [`donor@${DOMAIN}`] },
      from: donor,
      to: `donor@${DOMAIN}`,
      subject: 'Re: My monthly gift',
      messageId: '<gift-2@donor.example>',
      references: ['<gift-1@donor.example>'],
      text: 'Thanks!',
    });
    const followUp = await eventually(() => messageById('<gift-2@donor.example>'));
    expect(followUp.conversationId).toBe(genuine.conversationId);

    // The API (and so the desk) carries the verdict and the flag.
    const detail = await app.api('GET', `/api/conversations/${fake.conversationId}`);
    expect(detail.body.conversation.tags).toContain('unverified-sender');
    expect(detail.body.messages[0].metadata.email.auth.verdict).toBe('fail');
  });

  it('a mail whose DKIM signature breaks in transit fails DMARC too', async () => {
    const signed = await new Promise<Buffer>((resolve, reject) => {
      const stream = nodemailer.createTransport({
        streamTransport: true,
        buffer: true,
        dkim: { domainName: 'donor.example', keySelector: 'mail', privateKey: DKIM_KEY },
      });
      stream.sendMail(
        { from: 'ben@donor.example', to: `donor@${DOMAIN}`, subject: 'Amount', messageId: '<tampered@donor.example>', text: 'Gift: $10' },
        (err, info) => (err ? reject(err) : resolve(info.message as Buffer)),
      );
    });
    const tampered = Buffer.from(signed.toString().replace('Gift: $10', 'Gift: $10000'));
    // Handed over by a client donor.example's SPF does not allow for the envelope domain.
    await mx.sendMail({ envelope: { from: 'relay@elsewhere.example', to: [`donor@${DOMAIN}`] }, raw: tampered });
    const m = await eventually(() => messageById('<tampered@donor.example>'));
    // mailauth says `neutral` for a body hash that no longer matches (RFC 6376 §6.1.3): not a pass.
    expect(m.metadata.email).toMatchObject({ auth: { verdict: 'fail', dkim: 'neutral' } });
  });

  it('a domain without DMARC is neither verified nor refused: the mail threads as usual', async () => {
    await mx.sendMail({
      envelope: { from: 'cleo@nodmarc.example', to: [`donor@${DOMAIN}`] },
      from: 'cleo@nodmarc.example',
      to: `donor@${DOMAIN}`,
      subject: 'Hello',
      messageId: '<plain-1@nodmarc.example>',
      text: 'First',
    });
    await mx.sendMail({
      envelope: { from: 'cleo@nodmarc.example', to: [`donor@${DOMAIN}`] },
      from: 'cleo@nodmarc.example',
      to: `donor@${DOMAIN}`,
      subject: 'Re: Hello',
      messageId: '<plain-2@nodmarc.example>',
      references: ['<plain-1@nodmarc.example>'],
      text: 'Second',
    });
    const a = await eventually(() => messageById('<plain-1@nodmarc.example>'));
    const b = await eventually(() => messageById('<plain-2@nodmarc.example>'));
    expect(a.metadata.email).toMatchObject({ auth: { verdict: 'none', spf: 'pass' } });
    expect(b.conversationId).toBe(a.conversationId);
  });
});

describe('a trusted relay’s Authentication-Results (INBOUND_EMAIL_AUTH_RELAY)', () => {
  const mail = (...headers: string[]) => Buffer.from([...headers, 'From: ana@donor.example', 'Subject: hi', '', 'body', ''].join('\r\n'));

  it('reads the relay’s own header and ignores any other authserv-id', () => {
    const relay = 'mx.relay.example';
    expect(
      fromRelay(
        mail(
          'Authentication-Results: mx.relay.example;\r\n dkim=pass header.d=donor.example;\r\n spf=pass (sender allowed) smtp.mailfrom=donor.example;\r\n dmarc=pass (p=reject) header.from=donor.example',
        ),
        relay,
      ),
    ).toEqual({ verdict: 'pass', dmarc: 'pass', spf: 'pass', dkim: 'pass', via: 'relay', domain: 'donor.example' });
    // A sender's own forged header under another id says nothing; the relay's (topmost) says fail.
    expect(
      fromRelay(
        mail(
          'Authentication-Results: MX.relay.example; dkim=none; spf=softfail smtp.mailfrom=attacker.example; dmarc=fail header.from=donor.example',
          'Authentication-Results: attacker.example; dmarc=pass header.from=donor.example',
        ),
        relay,
      ),
    ).toMatchObject({ verdict: 'fail', dmarc: 'fail', spf: 'softfail', dkim: 'none' });
    expect(fromRelay(mail('Authentication-Results: attacker.example; dmarc=pass'), relay)).toMatchObject({ verdict: 'none' });
    expect(fromRelay(mail(), relay)).toMatchObject({ verdict: 'none', via: 'relay' });
  });

  it('end to end: the relay’s dmarc=fail keeps the mail out of the contact’s thread, without any DNS lookup', async () => {
    const { env, mx: relay } = await inboundMail(DOMAIN);
    const queried: string[] = [];
    const relayed = await startTestApp(
      'email-auth-relay',
      { ...env, INBOUND_EMAIL_AUTH_RELAY: 'mx.relay.example' },
      { modules: modulesWithDns(async (name, rr) => (queried.push(name), resolver(name, rr))) },
    );
    try {
      const send = (id: string, verdict: string, refs: string[] = []) =>
        relay.sendMail({
          envelope: { from: 'ana@donor.example', to: [`donor@${DOMAIN}`] },
          headers: {
            'Authentication-Results': `mx.relay.example; spf=pass smtp.mailfrom=donor.example; dmarc=${verdict} header.from=donor.example`,
          },
          from: 'ana@donor.example',
          to: `donor@${DOMAIN}`,
          subject: 'Gift',
          messageId: id,
          references: refs,
          text: id,
        });
      await send('<r1@donor.example>', 'pass');
      await send('<r2@donor.example>', 'fail', ['<r1@donor.example>']);
      const byId = async (id: string) =>
        (
          await relayed.sb.deps.db
            .select()
            .from(messages)
            .where(sql`${messages.metadata}->'email'->>'messageId' = ${id}`)
        )[0];
      const a = await eventually(() => byId('<r1@donor.example>'));
      const b = await eventually(() => byId('<r2@donor.example>'));
      expect(a.metadata.email).toMatchObject({ auth: { verdict: 'pass', via: 'relay' } });
      expect(b.metadata.email).toMatchObject({ auth: { verdict: 'fail', via: 'relay' } });
      expect(b.conversationId).not.toBe(a.conversationId);
      expect(queried).toEqual([]);
    } finally {
      relay.close();
      await relayed.stop();
    }
  }, 60_000);
});
