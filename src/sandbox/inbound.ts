import { randomBytes } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import { AppError } from '../core/errors.js';
import type { Deps } from '../core/ports.js';
import { inboxes, type IdentityKind } from '../db/schema.js';
import { OPT_IN_WORDS, OPT_OUT_WORDS } from '../channels/sms/parse-inbound.js';
import { SANDBOX_HOTLINE } from './secrets.js';
import { dmChannelOf, sandboxSlackUser, slackTs, SANDBOX_SLACK } from './slack.js';
import { latestSandboxMessage, recordSandboxMessage, setSandboxStatus } from './store.js';
import { twilioSid } from './twilio.js';
import { postAsSlack, postAsTwilio, type LocalEndpoints } from './webhook-post.js';

const E164 = /^\+[1-9]\d{6,14}$/;

export const ZSandboxInbound = z.discriminatedUnion('channel', [
  z
    .object({
      channel: z.literal('sms'),
      from: z.string().trim().regex(E164, 'from must be a phone number in E.164 form, e.g. +15555550123'),
      body: z.string().min(1, 'body is required').max(1600),
      /** Extension: our number it is sent to (default: the first phone inbox). */
      to: z.string().trim().regex(E164, 'to must be a phone number in E.164 form').optional(),
    })
    .strict(),
  z
    .object({
      channel: z.literal('email'),
      from: z.email('from must be an email address'),
      body: z.string().min(1, 'body is required').max(100_000),
      subject: z.string().trim().max(300).optional(),
      /** Extension: the mailbox it is sent to (default: the first email inbox, else help@ the inbound domain). */
      to: z.email('to must be an email address').optional(),
    })
    .strict(),
  z
    .object({
      channel: z.literal('slack'),
      /** A name ("Ana Lima") or a Slack user id (U…). */
      from: z.string().trim().min(1, 'from is required').max(80),
      body: z.string().min(1, 'body is required').max(4000),
    })
    .strict(),
]);
export type SandboxInbound = z.infer<typeof ZSandboxInbound>;

export type SandboxDelivery = { channel: string; externalId: string; status: number };

/**
 * A sandbox contact writes in: delivered as the vendor delivers it — the
 * signed Twilio webhook, the signed Slack event, a mail over SMTP to the
 * inbound server — to this very process, so verification, ingest and
 * routing are the production ones.
 */
export async function deliverSandboxInbound(deps: Deps, local: LocalEndpoints, input: SandboxInbound): Promise<SandboxDelivery> {
  if (!local.httpBase) throw new AppError('unavailable', 'the sandbox is not listening yet');
  switch (input.channel) {
    case 'sms':
      return deliverSms(deps, local.httpBase, input);
    case 'slack':
      return deliverSlack(deps, local.httpBase, input);
    case 'email':
      return deliverMail(deps, local, input);
  }
}

export async function firstInbox(deps: Deps, kind: IdentityKind): Promise<string | undefined> {
  const [row] = await deps.db
    .select({ address: inboxes.address })
    .from(inboxes)
    .where(and(eq(inboxes.kind, kind)))
    .orderBy(asc(inboxes.createdAt))
    .limit(1);
  return row?.address;
}

/** The webhook's answer, as the vendor would take it: 4xx is the input's fault, anything else ours. */
function check(r: { status: number; text: string }, what: string) {
  if (r.status < 300) return;
  if (r.status < 500) throw new AppError('bad_request', `${what} refused it (${r.status}): ${r.text.slice(0, 200)}`);
  throw new AppError('unavailable', `${what} failed (${r.status}); the vendor would retry`);
}

/** Twilio's own answers to its opt-out keywords (Advanced Opt-Out defaults): Twilio sends them, not Switchboard. */
const TWILIO_OPT_REPLIES = {
  out: 'You have successfully been unsubscribed. You will not receive any more messages from this number. Reply START to resubscribe.',
  in: 'You have successfully been re-subscribed to messages from this number. Reply HELP for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply.',
};

async function deliverSms(deps: Deps, httpBase: string, input: Extract<SandboxInbound, { channel: 'sms' }>): Promise<SandboxDelivery> {
  const to = input.to ?? (await firstInbox(deps, 'phone')) ?? SANDBOX_HOTLINE;
  const sid = twilioSid('SM');
  const r = await postAsTwilio(httpBase, `${deps.config.publicUrl}/webhooks/twilio/sms`, deps.config.twilio.authToken!, {
    MessageSid: sid,
    SmsSid: sid,
    SmsMessageSid: sid,
    AccountSid: deps.config.twilio.accountSid!,
    From: input.from,
    To: to,
    Body: input.body,
    NumMedia: '0',
    NumSegments: '1',
    ApiVersion: '2010-04-01',
  });
  check(r, 'the SMS webhook');
  await recordSandboxMessage(deps.db, {
    channel: 'sms',
    direction: 'inbound',
    contact: input.from,
    inbox: to,
    body: input.body,
    externalId: sid,
    status: 'received',
  });
  // A TwiML <Message> in the answer (HELP) is a text Twilio sends back at once.
  for (const reply of twimlMessages(r.text)) {
    await recordSandboxMessage(deps.db, {
      channel: 'sms',
      direction: 'outbound',
      contact: input.from,
      inbox: to,
      body: reply,
      externalId: twilioSid('SM'),
      status: 'delivered',
      metadata: { via: 'twiml' },
    });
  }
  const keyword = input.body.trim().toUpperCase();
  const optReply = OPT_OUT_WORDS.includes(keyword) ? TWILIO_OPT_REPLIES.out : OPT_IN_WORDS.includes(keyword) ? TWILIO_OPT_REPLIES.in : null;
  if (optReply) {
    await recordSandboxMessage(deps.db, {
      channel: 'sms',
      direction: 'outbound',
      contact: input.from,
      inbox: to,
      body: optReply,
      externalId: twilioSid('SM'),
      status: 'delivered',
      metadata: { via: 'twilio-opt-out' },
    });
  }
  return { channel: 'sms', externalId: sid, status: r.status };
}

/** The texts of `<Message>` elements in a TwiML answer. */
export function twimlMessages(xml: string): string[] {
  const unescape = (s: string) =>
    s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);
  return [...xml.matchAll(/<Message(?:\s[^>]*)?>([\s\S]*?)<\/Message>/g)].map((m) => unescape(m[1]));
}

async function deliverSlack(deps: Deps, httpBase: string, input: Extract<SandboxInbound, { channel: 'slack' }>): Promise<SandboxDelivery> {
  const user = sandboxSlackUser(input.from);
  const known = await latestSandboxMessage(deps.db, 'slack', user.id, 'inbound');
  const name = user.name ?? known?.contactName ?? null;
  const channel = dmChannelOf(user.id);
  const ts = slackTs();
  const eventId = `Ev${randomBytes(5).toString('hex').toUpperCase()}`;
  // Kept first: users.info (asked while the event is stored) answers with this name.
  const row = await recordSandboxMessage(deps.db, {
    channel: 'slack',
    direction: 'inbound',
    contact: user.id,
    contactName: name,
    inbox: channel,
    body: input.body,
    externalId: `${channel}:${ts}`,
    status: 'sending',
    metadata: { ts, eventId },
  });
  const r = await postAsSlack(httpBase, deps.config.slack.signingSecret!, {
    token: 'sandbox',
    team_id: SANDBOX_SLACK.teamId,
    api_app_id: 'ASANDBOX',
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: 'message', channel_type: 'im', channel, user: user.id, text: input.body, ts, event_ts: ts },
  });
  await setSandboxStatus(deps.db, row.externalId, r.status < 300 ? 'received' : 'refused');
  check(r, 'the Slack events endpoint');
  return { channel: 'slack', externalId: eventId, status: r.status };
}

async function deliverMail(
  deps: Deps,
  local: LocalEndpoints,
  input: Extract<SandboxInbound, { channel: 'email' }>,
): Promise<SandboxDelivery> {
  if (!local.smtpPort) throw new AppError('unavailable', 'the inbound SMTP server is not running in this process');
  const from = input.from.toLowerCase();
  const domain = deps.config.mail.inboundDomain!;
  const to = (input.to ?? (await firstInbox(deps, 'email')) ?? `help@${domain}`).toLowerCase();
  // Without a subject, or with "Re:" and the subject of our latest mail, it answers that mail (threaded).
  const last = await latestSandboxMessage(deps.db, 'email', from, 'outbound');
  const answering = last && (!input.subject || sameSubject(input.subject, last.subject));
  const subject = input.subject || (last?.subject ? reSubject(last.subject) : '(no subject)');
  const messageId = `<${randomBytes(12).toString('hex')}@sandbox.contact>`;
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: local.smtpPort, secure: false, ignoreTLS: true });
  try {
    await transport.sendMail({
      from,
      to,
      subject,
      text: input.body,
      messageId,
      ...(answering ? { inReplyTo: last.externalId, references: [last.externalId] } : {}),
    });
  } catch (err) {
    const code = (err as { responseCode?: number }).responseCode;
    // 5xx: refused for good (the mailbox is not ours…); 4xx or no answer: a mail server would retry.
    if (code && code >= 500) throw new AppError('bad_request', `the inbound SMTP server refused the mail (${code})`);
    throw new AppError(
      'unavailable',
      `the inbound SMTP server did not take the mail${code ? ` (${code})` : ''}; a mail server would retry`,
    );
  } finally {
    transport.close();
  }
  await recordSandboxMessage(deps.db, {
    channel: 'email',
    direction: 'inbound',
    contact: from,
    inbox: to,
    body: input.body,
    subject,
    externalId: messageId,
    status: 'received',
    metadata: answering ? { inReplyTo: last.externalId } : {},
  });
  return { channel: 'email', externalId: messageId, status: 250 };
}

const bareSubject = (s: string) =>
  s
    .replace(/^\s*(re|aw|sv)\s*:\s*/gi, '')
    .trim()
    .toLowerCase();
const sameSubject = (a: string, b: string | null) => b !== null && bareSubject(a) === bareSubject(b);
const reSubject = (s: string) => (/^\s*re\s*:/i.test(s) ? s : `Re: ${s}`);
