import { z } from 'zod';
import type { InboundMessage } from '../../core/conversations/types.js';

/** Twilio's inbound message webhook fields we use (form-encoded). */
export const ZTwilioSms = z
  .object({
    MessageSid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/, 'MessageSid must be a Twilio message sid'),
    AccountSid: z.string().optional(),
    From: z.string().min(1, 'From is required'),
    To: z.string().min(1, 'To is required'),
    Body: z.string().default(''),
    NumMedia: z.coerce.number().int().min(0).max(10).default(0),
  })
  .passthrough();

export type TwilioSms = z.output<typeof ZTwilioSms>;

/** Twilio's default opt-out, opt-in and help keywords (the whole message, any case). */
export const OPT_OUT_WORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'];
export const OPT_IN_WORDS = ['START', 'YES', 'UNSTOP'];
export const HELP_WORDS = ['HELP', 'INFO'];

export function keywordOf(body: string): 'opt-out' | 'opt-in' | 'help' | undefined {
  const word = body
    .trim()
    .toUpperCase()
    .replace(/[.!]+$/, '');
  if (OPT_OUT_WORDS.includes(word)) return 'opt-out';
  if (OPT_IN_WORDS.includes(word)) return 'opt-in';
  if (HELP_WORDS.includes(word)) return 'help';
  return undefined;
}

/** A Twilio SMS/MMS webhook → our InboundMessage. Media URLs are kept as references, never fetched. */
export function parseTwilioSms(p: TwilioSms): InboundMessage {
  const raw = p as Record<string, unknown>;
  const media = Array.from({ length: p.NumMedia }, (_, i) => ({
    url: typeof raw[`MediaUrl${i}`] === 'string' ? (raw[`MediaUrl${i}`] as string) : '',
    contentType: raw[`MediaContentType${i}`] ? String(raw[`MediaContentType${i}`]) : undefined,
  })).filter((m) => m.url);
  return {
    channel: 'sms',
    externalId: p.MessageSid,
    from: { kind: 'phone', value: p.From },
    inboxAddress: p.To,
    body: p.Body,
    media,
    control: keywordOf(p.Body),
  };
}
