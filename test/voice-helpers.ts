import { randomBytes } from 'node:crypto';
import type { TestApp } from './helpers/harness.js';

/** One TwiML element: name, attributes, child elements and its own text. */
export type XmlNode = { name: string; attrs: Record<string, string>; children: XmlNode[]; text: string };

const decode = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|apos|#\d+);/g, (_, e: string) =>
    e === 'amp'
      ? '&'
      : e === 'lt'
        ? '<'
        : e === 'gt'
          ? '>'
          : e === 'quot'
            ? '"'
            : e === 'apos'
              ? "'"
              : String.fromCharCode(Number(e.slice(1))),
  );

/** A small, strict XML reader for TwiML answers (throws on anything malformed). */
export function parseXml(xml: string): XmlNode {
  const root: XmlNode = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlNode[] = [root];
  const re = /<\?[^>]*\?>|<\/([A-Za-z][\w:-]*)\s*>|<([A-Za-z][\w:-]*)((?:\s+[\w:-]+\s*=\s*"[^"]*")*)\s*(\/?)>|([^<]+)/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(xml))) {
    if (m.index !== consumed) throw new Error(`malformed XML at ${consumed}: ${xml.slice(consumed, consumed + 40)}`);
    consumed = re.lastIndex;
    const top = stack[stack.length - 1];
    if (m[0].startsWith('<?')) continue;
    if (m[1]) {
      if (top.name !== m[1]) throw new Error(`mismatched </${m[1]}> (open: ${top.name})`);
      stack.pop();
    } else if (m[2]) {
      const attrs: Record<string, string> = {};
      for (const a of m[3].matchAll(/([\w:-]+)\s*=\s*"([^"]*)"/g)) attrs[a[1]] = decode(a[2]);
      const node: XmlNode = { name: m[2], attrs, children: [], text: '' };
      top.children.push(node);
      if (!m[4]) stack.push(node);
    } else if (m[5]) {
      top.text += decode(m[5]);
    }
  }
  if (consumed !== xml.length || stack.length !== 1) throw new Error('malformed XML: unclosed elements');
  const response = root.children[0];
  if (!response || response.name !== 'Response') throw new Error(`not TwiML: ${xml.slice(0, 80)}`);
  return response;
}

/** Every element with this name, depth first. */
export function all(node: XmlNode, name: string): XmlNode[] {
  const out: XmlNode[] = [];
  const walk = (n: XmlNode) => {
    for (const c of n.children) {
      if (c.name === name) out.push(c);
      walk(c);
    }
  };
  walk(node);
  return out;
}

export const first = (node: XmlNode, name: string) => all(node, name)[0];
/** All spoken text, in order. */
export const spoken = (node: XmlNode) =>
  all(node, 'Say')
    .map((s) => s.text)
    .join(' ');
/** The path + query of an absolute continuation URL (Twilio posts to it next). */
export const pathOf = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};

export const callSid = () => 'CA' + randomBytes(16).toString('hex');
export const recordingSid = () => 'RE' + randomBytes(16).toString('hex');

/** One simulated call: posts signed webhooks in Twilio's order and parses the TwiML answers. */
export function simulateCall(app: TestApp, opts: { from: string; to: string; sid?: string }) {
  const sid = opts.sid ?? callSid();
  const base = { CallSid: sid, AccountSid: app.config.twilio.accountSid!, From: opts.from, To: opts.to, Direction: 'inbound' };
  async function post(path: string, extra: Record<string, string> = {}) {
    const r = await app.twilioPost(path, { ...base, CallStatus: 'in-progress', ...extra });
    if (r.status !== 200) throw new Error(`${path} answered ${r.status}: ${r.text}`);
    return parseXml(r.text);
  }
  return {
    sid,
    /** The incoming-call webhook. */
    ring: () => post('/webhooks/twilio/voice', { CallStatus: 'ringing' }),
    /** Follows the action URL of the response's <Gather> with these keys (or silence). */
    press: (twiml: XmlNode, digits: string, extra: Record<string, string> = {}) => {
      const g = first(twiml, 'Gather');
      if (!g) throw new Error('no <Gather> to answer');
      return post(pathOf(g.attrs.action), { Digits: digits, ...extra });
    },
    /** Follows the response's <Redirect>. */
    follow: (twiml: XmlNode) => {
      const r = first(twiml, 'Redirect');
      if (!r) throw new Error('no <Redirect> to follow');
      return post(pathOf(r.text.trim()));
    },
    post,
    status: (status: string, extra: Record<string, string> = {}, path = '/webhooks/twilio/voice/status') =>
      app.twilioPost(path, { ...base, CallStatus: status, ...extra }),
  };
}

/**
 * A random number that passes the outbound checks (a real US area code, a valid exchange):
 * callers who may be called back and numbers agents dial. `randomPhone()` (+1555…) is not a real number.
 */
export const dialablePhone = () => {
  let exchange = 200 + Math.floor(Math.random() * 700);
  if (exchange % 100 === 11) exchange += 1;
  return `+1415${exchange}${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}`;
};
