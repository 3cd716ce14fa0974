import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import { AppError } from '../core/errors.js';
import type { Deps } from '../core/ports.js';
import { firstInbox } from './inbound.js';
import { SANDBOX_HOTLINE } from './secrets.js';
import { findSandboxMessage, recordSandboxMessage, updateSandboxCall } from './store.js';
import { twilioSid } from './twilio.js';
import { postAsTwilio, type LocalEndpoints } from './webhook-post.js';

const E164 = /^\+[1-9]\d{6,14}$/;

export const ZSandboxCall = z
  .object({
    from: z.string().trim().regex(E164, 'from must be a phone number in E.164 form, e.g. +15555550123'),
    /** Our number it rings (default: the first phone inbox, else the sandbox hotline). */
    to: z.string().trim().regex(E164, 'to must be a phone number in E.164 form').optional(),
  })
  .strict();

export const ZSandboxCallInput = z
  .object({
    /** Keys pressed: 0-9, * and #. */
    digits: z
      .string()
      .regex(/^[0-9*#]{1,20}$/, 'digits are 0-9, * and #')
      .optional(),
    /** What the caller says, as Twilio's speech recognition would hand it over. */
    speech: z.string().trim().min(1).max(500).optional(),
  })
  .strict()
  .refine((i) => (i.digits === undefined) !== (i.speech === undefined), 'give either digits or speech');

/** What the caller hears (`say`), hears played (`play`), or a note on what the phone network does (`note`). */
export type CallLine = { kind: 'say' | 'play' | 'note'; text: string; language?: string };
export type CallTurn = {
  callSid: string;
  /** `menu`: waiting for keys or words; `queued`: on hold for an agent; `ended`: hung up. */
  state: 'menu' | 'queued' | 'ended';
  lines: CallLine[];
  /** What the menu takes while `state` is `menu`. */
  accepts?: { digits: boolean; speech: boolean; numDigits?: number };
};

/** A walk never follows more redirects than this in one turn (a flow loop would otherwise spin). */
const MAX_FETCHES = 10;

const parser = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', trimValues: true });
type XmlNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const textOf = (children: unknown): string =>
  (Array.isArray(children) ? children : [])
    .map((c: XmlNode) => (typeof c['#text'] === 'string' || typeof c['#text'] === 'number' ? String(c['#text']) : ''))
    .join(' ')
    .trim();

/**
 * A sandbox caller rings our number: Twilio's incoming-call webhook, signed as Twilio signs it, to
 * this process; the TwiML that comes back is read out as text until the flow waits for the caller.
 */
export async function startSandboxCall(deps: Deps, local: LocalEndpoints, input: z.infer<typeof ZSandboxCall>): Promise<CallTurn> {
  const to = input.to ?? (await firstInbox(deps, 'phone')) ?? SANDBOX_HOTLINE;
  const callSid = twilioSid('CA');
  await recordSandboxMessage(deps.db, {
    channel: 'voice',
    direction: 'inbound',
    contact: input.from,
    inbox: to,
    body: 'Incoming call',
    externalId: callSid,
    status: 'in-progress',
    metadata: {},
  });
  return walk(deps, local, { callSid, from: input.from, to }, `${deps.config.publicUrl}/webhooks/twilio/voice`, {});
}

/** The caller presses keys or speaks: posted to the waiting <Gather>'s action, as Twilio posts it. */
export async function answerSandboxCall(
  deps: Deps,
  local: LocalEndpoints,
  callSid: string,
  input: z.infer<typeof ZSandboxCallInput>,
): Promise<CallTurn> {
  const call = await findSandboxMessage(deps.db, callSid);
  if (!call || call.channel !== 'voice' || call.direction !== 'inbound') throw new AppError('not_found', 'no such sandbox call');
  const action = typeof call.metadata.action === 'string' ? call.metadata.action : null;
  if (call.status !== 'menu' || !action) throw new AppError('conflict', 'this call is not waiting for keys or words');
  const fields: Record<string, string> =
    input.digits !== undefined ? { Digits: input.digits } : { SpeechResult: input.speech!, Confidence: '0.9' };
  return walk(deps, local, { callSid, from: call.contact, to: call.inbox ?? SANDBOX_HOTLINE }, action, fields);
}

async function walk(
  deps: Deps,
  local: LocalEndpoints,
  call: { callSid: string; from: string; to: string },
  firstUrl: string,
  firstFields: Record<string, string>,
): Promise<CallTurn> {
  if (!local.httpBase) throw new AppError('unavailable', 'the sandbox is not listening yet');
  const lines: CallLine[] = [];
  let url: string | null = firstUrl;
  let fields = firstFields;
  let waited = false;
  let turn: Omit<CallTurn, 'callSid' | 'lines'> = { state: 'ended' };
  for (let fetches = 0; url && fetches < MAX_FETCHES; fetches++) {
    const r = await postAsTwilio(local.httpBase, url, deps.config.twilio.authToken!, {
      AccountSid: deps.config.twilio.accountSid!,
      CallSid: call.callSid,
      From: call.from,
      To: call.to,
      CallStatus: 'in-progress',
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
      ...fields,
    });
    if (r.status >= 300) throw new AppError('unavailable', `the voice webhook answered ${r.status}`);
    fields = {};
    const next = readTwiml(r.text, lines);
    url = null;
    if (next.kind === 'gather') turn = { state: 'menu', accepts: next.accepts, action: next.action } as typeof turn;
    else if (next.kind === 'redirect') {
      // The hold loop redirects to /wait forever: one turn of it says where the caller is in line.
      const isWait = new URL(next.url).pathname.endsWith('/voice/wait');
      if (isWait && waited) turn = { state: 'queued' };
      else {
        waited ||= isWait;
        url = next.url;
      }
    } else if (next.kind === 'dial') turn = { state: 'queued' };
    else turn = { state: 'ended' };
  }
  const { action, ...shown } = turn as typeof turn & { action?: string };
  await updateSandboxCall(deps.db, call.callSid, { status: shown.state, metadata: action ? { action } : {} });
  return { callSid: call.callSid, lines, ...shown };
}

type Next =
  | { kind: 'gather'; action: string; accepts: NonNullable<CallTurn['accepts']> }
  | { kind: 'redirect'; url: string }
  | { kind: 'dial' }
  | { kind: 'end' };

/** Reads a TwiML answer as Twilio plays it: each verb in order until one waits, redirects or hangs up. */
function readTwiml(xml: string, lines: CallLine[]): Next {
  const doc = parser.parse(xml) as XmlNode[];
  const next = readVerbs(doc.find((n) => 'Response' in n)?.Response, lines);
  if (next) return next;
  lines.push({ kind: 'note', text: 'Nothing more to play: Twilio hangs up.' });
  return { kind: 'end' };
}

/** null: the verbs ran out without waiting, redirecting or hanging up. */
function readVerbs(verbs: unknown, lines: CallLine[]): Next | null {
  for (const verb of (Array.isArray(verbs) ? verbs : []) as XmlNode[]) {
    const [name] = Object.keys(verb).filter((k) => k !== ':@');
    const attrs = verb[':@'] ?? {};
    const children = verb[name];
    switch (name) {
      case 'Say':
        lines.push({ kind: 'say', text: textOf(children), ...(attrs.language ? { language: attrs.language } : {}) });
        break;
      case 'Play':
        lines.push({ kind: 'play', text: textOf(children) });
        break;
      case 'Gather': {
        readVerbs(children, lines); // its prompt: <Say> and <Play> only
        const input = (attrs.input ?? 'dtmf').split(' ');
        return {
          kind: 'gather',
          action: attrs.action,
          accepts: {
            digits: input.includes('dtmf'),
            speech: input.includes('speech'),
            ...(attrs.numDigits ? { numDigits: Number(attrs.numDigits) } : {}),
          },
        };
      }
      case 'Redirect':
        return { kind: 'redirect', url: textOf(children) };
      case 'Dial':
        lines.push({ kind: 'note', text: 'The call is put through (the sandbox dials no one).' });
        return { kind: 'dial' };
      case 'Record':
        lines.push({ kind: 'note', text: 'A voicemail would be recorded now (the sandbox records none).' });
        return { kind: 'end' };
      case 'Hangup':
        lines.push({ kind: 'note', text: 'The line goes dead.' });
        return { kind: 'end' };
      default:
        break; // <Pause> and the like: nothing to read.
    }
  }
  return null;
}
