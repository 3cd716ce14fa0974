import { Router, type Request, type Response } from 'express';
import { and, eq } from 'drizzle-orm';
import twilio from 'twilio';
import { z } from 'zod';
import { ingestInbound } from '../../core/conversations/ingest-inbound.js';
import { publishMessageUpdate } from '../../core/conversations/publish.js';
import { contactText } from '../../core/contact-texts.js';
import { zodReason } from '../../core/errors.js';
import type { Deps } from '../../core/ports.js';
import { languageOfAddress } from '../../db/queries/contacts.js';
import { claimInboundEvent } from '../../db/queries/inbound-events.js';
import { conversations, messages } from '../../db/schema.js';
import { journalled } from '../twilio/journalled.js';
import { twilioWebhook } from '../twilio/verify.js';
import { parseTwilioSms, ZTwilioSms } from './parse-inbound.js';

/** Delivery progress; a late callback never moves a message backwards. */
const STATUS_RANK: Record<string, number> = {
  pending: 0,
  sending: 1,
  accepted: 2,
  scheduled: 2,
  queued: 3,
  sent: 4,
  failed: 5,
  undelivered: 5,
  delivered: 6,
  read: 7,
  canceled: 5,
};

const ZStatusCallback = z
  .object({
    MessageSid: z.string().min(1, 'MessageSid is required'),
    MessageStatus: z.string().min(1, 'MessageStatus is required'),
    ErrorCode: z.string().optional(),
  })
  .passthrough();

/** Nothing to say back: the same bytes for every text (built once; xmlbuilder was 2 % of the web's CPU in a surge). */
const EMPTY_TWIML = new twilio.twiml.MessagingResponse().toString();

/** Twilio's SMS webhooks (contract: "Inbound channels"). */
export function smsRouter(deps: Deps): Router {
  const r = Router();
  const twilioIn = twilioWebhook(deps);

  const emptyTwiml = (_req: Request, res: Response) => {
    res.type('text/xml').send(EMPTY_TWIML);
  };

  r.post(
    '/webhooks/twilio/sms',
    ...twilioIn,
    // Postgres away: the text waits in the journal (in order) and Twilio hears 200; see journalled.ts.
    journalled(deps, { kind: JOURNAL_KINDS.sms, answer: emptyTwiml, ordered: true }, async (req, res) => {
      const parsed = ZTwilioSms.safeParse(req.body);
      if (!parsed.success) {
        res
          .status(400)
          .type('text/plain')
          .send(`bad Twilio SMS webhook: ${zodReason(parsed.error)}`);
        return;
      }
      const inbound = parseTwilioSms(parsed.data);
      await ingestInbound(deps, inbound);
      // The answer depends only on the message and the sender's language, so a redelivery gets the same one.
      if (inbound.control !== 'help') return void res.type('text/xml').send(EMPTY_TWIML);
      const twiml = new twilio.twiml.MessagingResponse();
      twiml.message(contactText('sms.help', await languageOfAddress(deps.db, 'phone', inbound.from.value)));
      res.type('text/xml').send(twiml.toString());
    }),
  );

  r.post(
    '/webhooks/twilio/sms/status',
    ...twilioIn,
    journalled(deps, { kind: JOURNAL_KINDS.status, answer: (_req, res) => void res.status(204).end() }, async (req, res) => {
      const parsed = ZStatusCallback.safeParse(req.body);
      if (!parsed.success) {
        res
          .status(400)
          .type('text/plain')
          .send(`bad status callback: ${zodReason(parsed.error)}`);
        return;
      }
      await applyStatusCallback(deps, parsed.data);
      res.status(204).end();
    }),
  );

  // Replays of journalled deliveries: the same work, idempotent by MessageSid (and MessageSid + status).
  deps.journal?.register(JOURNAL_KINDS.sms, async (e) => {
    const parsed = ZTwilioSms.safeParse(e.body);
    if (parsed.success) await ingestInbound(deps, parseTwilioSms(parsed.data));
  });
  deps.journal?.register(JOURNAL_KINDS.status, async (e) => {
    const parsed = ZStatusCallback.safeParse(e.body);
    if (parsed.success) await applyStatusCallback(deps, parsed.data);
  });

  return r;
}

const JOURNAL_KINDS = { sms: 'twilio.sms', status: 'twilio.sms-status' } as const;

/** A delivery report moves the reply forward (never back) and is pushed as `message.updated`. */
async function applyStatusCallback(deps: Deps, cb: z.infer<typeof ZStatusCallback>) {
  const { MessageSid, MessageStatus, ErrorCode } = cb;
  const updated = await deps.db.transaction(async (tx) => {
    if (!(await claimInboundEvent(tx, 'sms:status', `${MessageSid}:${MessageStatus}`))) return null;
    const [m] = await tx
      .select()
      .from(messages)
      .where(and(eq(messages.channel, 'sms'), eq(messages.externalId, MessageSid)))
      .for('update');
    if (!m || (STATUS_RANK[MessageStatus] ?? 0) <= (STATUS_RANK[m.status] ?? 0)) return null;
    const [row] = await tx
      .update(messages)
      .set({ status: MessageStatus, error: ErrorCode ? `Twilio error ${ErrorCode}` : m.error })
      .where(eq(messages.id, m.id))
      .returning();
    const [c] = await tx.select().from(conversations).where(eq(conversations.id, m.conversationId));
    return row && c ? { message: row, conversation: c } : null;
  });
  if (updated) publishMessageUpdate(deps, updated.conversation, updated.message);
}
