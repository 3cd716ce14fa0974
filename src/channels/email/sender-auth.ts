import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { authenticate, type DNSResolver } from 'mailauth';
import type { SpooledMail } from './parse-inbound.js';

/**
 * Who really sent a mail: SPF, DKIM and DMARC on receipt. `pass` = DMARC passed (the From
 * domain vouches for this mail); `fail` = DMARC failed (the From domain publishes a policy and
 * this mail does not meet it: a forgery, or a forwarder that broke it); `none` = nothing to
 * decide on (no DMARC record, a DNS error, or the relay said nothing).
 */
export type SenderVerdict = 'pass' | 'fail' | 'none';

export type SenderAuth = {
  verdict: SenderVerdict;
  dmarc: string;
  spf: string;
  dkim: string;
  /** `checked` (our own lookups) or `relay` (the Authentication-Results of INBOUND_EMAIL_AUTH_RELAY). */
  via: 'checked' | 'relay';
  /** The From domain the verdict is about. */
  domain?: string;
};

/** What the SMTP session knows about the client that handed us the mail. */
export type SmtpClient = { ip: string; helo: string; mailFrom: string };

export type SenderAuthOptions = {
  /** authserv-id of the relay whose Authentication-Results header we trust instead of checking ourselves. */
  trustedRelay?: string;
  /** Our host name in Received-SPF and the like. */
  mta: string;
  /** DNS lookups (dns.promises.resolve by default); tests pass a stub. */
  resolver?: DNSResolver;
};

const verdictOf = (dmarc: string): SenderVerdict => (dmarc === 'pass' ? 'pass' : dmarc === 'fail' ? 'fail' : 'none');

/** Checks the mail as it arrived (or reads the trusted relay's verdict). Never throws: a failure to check is `none`. */
export async function authenticateSender(mail: Buffer | SpooledMail, client: SmtpClient, opts: SenderAuthOptions): Promise<SenderAuth> {
  if (opts.trustedRelay) return fromRelay(Buffer.isBuffer(mail) ? mail : await headOf(mail), opts.trustedRelay);
  try {
    // mailauth reads a stream as it comes (DKIM hashes the body on the way).
    const r = await authenticate(Buffer.isBuffer(mail) ? mail : createReadStream(mail.path), {
      ip: client.ip,
      helo: client.helo,
      sender: client.mailFrom,
      mta: opts.mta,
      resolver: opts.resolver,
      disableArc: true,
      disableBimi: true,
    });
    const dmarc = r.dmarc ? r.dmarc.status.result : 'none';
    const dkimResults = r.dkim.results.map((d) => d.status.result);
    return {
      verdict: verdictOf(dmarc),
      dmarc,
      spf: r.spf ? r.spf.status.result : 'none',
      dkim: dkimResults.includes('pass') ? 'pass' : (dkimResults[0] ?? 'none'),
      via: 'checked',
      domain: r.dmarc ? r.dmarc.domain : r.dkim.headerFrom[0]?.split('@').pop(),
    };
  } catch {
    return { verdict: 'none', dmarc: 'temperror', spf: 'none', dkim: 'none', via: 'checked' };
  }
}

/**
 * The relay's verdict: the topmost Authentication-Results header carrying its authserv-id (the
 * one it added; RFC 8601 §5 has it remove any that claimed its id on the way in).
 */
export function fromRelay(raw: Buffer, authservId: string): SenderAuth {
  const head = raw.subarray(0, headerEnd(raw)).toString('latin1');
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const wanted = authservId.toLowerCase();
  const header = unfolded
    .split(/\r?\n/)
    .filter((l) => /^authentication-results:/i.test(l))
    .map((l) => l.slice(l.indexOf(':') + 1).trim())
    .find((v) => v.split(';')[0].trim().split(/\s+/)[0].toLowerCase() === wanted);
  if (!header) return { verdict: 'none', dmarc: 'none', spf: 'none', dkim: 'none', via: 'relay' };
  const results = header.replace(/\([^)]*\)/g, ' ');
  const result = (method: string) =>
    [...results.matchAll(new RegExp(`(?:^|[;\\s])${method}\\s*=\\s*([a-z]+)`, 'gi'))].map((m) => m[1].toLowerCase());
  const dmarc = result('dmarc')[0] ?? 'none';
  const dkim = result('dkim');
  const domain = /header\.from\s*=\s*([^\s;]+)/i.exec(results)?.[1]?.toLowerCase();
  return {
    verdict: verdictOf(dmarc),
    dmarc,
    spf: result('spf')[0] ?? 'none',
    dkim: dkim.includes('pass') ? 'pass' : (dkim[0] ?? 'none'),
    via: 'relay',
    domain,
  };
}

/** The start of a spooled mail, enough for its header (a relay's Authentication-Results is at the top). */
async function headOf(mail: SpooledMail, bytes = 256 * 1024): Promise<Buffer> {
  const file = await open(mail.path);
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(Math.min(bytes, mail.size)), 0, Math.min(bytes, mail.size), 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

function headerEnd(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const ends = [crlf, lf].filter((i) => i >= 0);
  return ends.length ? Math.min(...ends) : raw.length;
}
