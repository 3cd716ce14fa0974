import { randomUUID } from 'node:crypto';
import express, { Router } from 'express';
import { and, eq, sql } from 'drizzle-orm';
import twilio from 'twilio';
import { z } from 'zod';
import { isSupervisor, type Actor } from '../../core/agents/actor.js';
import { loadVisibleConversation } from '../../core/conversations/load.js';
import { publishConversationChange, publishMessage } from '../../core/conversations/publish.js';
import { transferConversation } from '../../core/conversations/transfer.js';
import { AppError, forbidden, notFound } from '../../core/errors.js';
import { toPublicConversation, type Deps } from '../../core/ports.js';
import { findOrCreateContact } from '../../db/queries/contacts.js';
import { agents, contactIdentities, contacts, conversations, messages, reservations, type ConversationRow } from '../../db/schema.js';
import { voiceUrl } from '../../ivr/render.js';
import { actorOf, parse, requireAuth } from '../../http/middleware.js';
import { maskPhone } from '../../logger.js';
import type { TwilioClient } from '../twilio/client.js';
import { dialAgentIn, setHold, waitUrlOf } from './bridge.js';
import { conferenceName, metaOf, patchCall } from './calls.js';
import { listPhoneInboxes } from './router.js';

/** Softphone tokens live this long; the desk fetches a new one before it lapses (`tokenWillExpire`). */
export const VOICE_TOKEN_TTL_SECONDS = 15 * 60;

const ZE164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number like +15551234567');
const ZId = z.object({ id: z.string().uuid('id must be a UUID') });
const ZPlaceCall = z
  .object({
    conversationId: z.string().uuid().optional(),
    contactId: z.string().uuid().optional(),
    phone: ZE164.optional(),
    /** The hotline to call from (one of the phone inboxes); the conversation's, or the first, otherwise. */
    from: ZE164.optional(),
  })
  .strict()
  .refine(
    (v) => [v.conversationId, v.contactId, v.phone].filter(Boolean).length === 1,
    'give exactly one of conversationId, contactId, phone',
  );
const ZTransfer = z.union([z.object({ queue: z.string().min(1) }).strict(), z.object({ agentId: z.string().uuid() }).strict()]);

/**
 * The desk's voice controls under /api/voice (extensions; see docs/voice.md):
 * softphone token, outbound calls, hold, transfer of a live call.
 */
export function voiceApiRouter(deps: Deps, client: TwilioClient | null): Router {
  const outer = Router();
  const r = Router();
  const { db, log } = deps;
  r.use(express.json({ limit: '64kb' }), requireAuth(deps));

  const needClient = (): TwilioClient => {
    if (!client) throw new AppError('unavailable', 'voice is not configured: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN');
    return client;
  };

  r.get('/token', (req, res) => {
    const actor = actorOf(req);
    const t = deps.config.twilio;
    const missing = (
      [
        ['TWILIO_ACCOUNT_SID', t.accountSid],
        ['TWILIO_API_KEY', t.apiKey],
        ['TWILIO_API_SECRET', t.apiSecret],
        ['TWILIO_TWIML_APP_SID', t.twimlAppSid],
      ] as const
    )
      .filter(([, v]) => !v)
      .map(([k]) => k);
    if (missing.length) throw new AppError('unavailable', `the softphone is not configured: set ${missing.join(', ')}`);
    const { AccessToken } = twilio.jwt;
    const token = new AccessToken(t.accountSid!, t.apiKey!, t.apiSecret!, { identity: actor.id, ttl: VOICE_TOKEN_TTL_SECONDS });
    token.addGrant(new AccessToken.VoiceGrant({ incomingAllow: true, outgoingApplicationSid: t.twimlAppSid }));
    res.json({
      token: token.toJwt(),
      identity: actor.id,
      expiresIn: VOICE_TOKEN_TTL_SECONDS,
      expiresAt: new Date(Date.now() + VOICE_TOKEN_TTL_SECONDS * 1000).toISOString(),
    });
  });

  // An agent calls a contact from the desk: caller ID is the hotline; both legs meet in a conference.
  r.post('/calls', async (req, res) => {
    const actor = actorOf(req);
    const input = parse(ZPlaceCall, req.body);
    const twilioClient = needClient();
    const target = await resolveTarget(actor, input);
    const hotlines = await listPhoneInboxes(deps);
    const from = input.from ?? (target.source && hotlines.includes(target.source.inboxAddress) ? target.source.inboxAddress : hotlines[0]);
    if (!from) throw new AppError('unavailable', 'no hotline number: add a phone inbox first');
    if (!hotlines.includes(from)) throw new AppError('bad_request', 'from: not one of the hotline numbers (phone inboxes)');

    const reuse = target.source && canReuse(target.source, actor) ? target.source : undefined;
    const conversation = await db.transaction(async (tx) => {
      // The agent's voice capacity holds for calls they place, as for calls they are offered.
      await tx.execute(sql`select id from agents where id = ${actor.id} for update`);
      const [agent] = await tx.select().from(agents).where(eq(agents.id, actor.id));
      const [{ n }] = (await tx.execute(sql`
        select (select count(*) from ${conversations} where assignee_id = ${actor.id} and channel = 'voice' and status = 'assigned'
                  and (metadata->>'endedAt') is null and (metadata->>'callSid') is not null and id <> ${reuse?.id ?? randomUUID()})
             + (select count(*) from ${reservations} where agent_id = ${actor.id} and channel = 'voice' and status = 'pending') as n
      `)) as unknown as [{ n: number | string }];
      if (Number(n) >= (agent?.capacity.voice ?? 1)) throw new AppError('at_capacity', 'you are already on a call');
      const meta = {
        direction: 'outbound',
        mode: 'call',
        endedAt: null,
        callStatus: null,
        bridgedAt: null,
        answeredAt: null,
        agentCallSid: null,
      };
      if (reuse) {
        const [row] = await tx
          .update(conversations)
          .set({ metadata: sql`${conversations.metadata} || ${JSON.stringify(meta)}::jsonb` })
          .where(eq(conversations.id, reuse.id))
          .returning();
        return row;
      }
      const [row] = await tx
        .insert(conversations)
        .values({
          contactId: target.contactId,
          channel: 'voice',
          queueKey: target.source?.queueKey ?? 'donor',
          status: 'assigned',
          assigneeId: actor.id,
          acceptedAt: new Date(),
          inboxAddress: from,
          threadKey: `outbound:${randomUUID()}`,
          metadata: meta,
        })
        .returning();
      return row;
    });

    let callSid: string;
    try {
      const call = await twilioClient.calls.create({
        to: target.phone,
        from,
        url: voiceUrl(deps.config.publicUrl, 'connect', { conversationId: conversation.id }),
        method: 'POST',
        statusCallback: voiceUrl(deps.config.publicUrl, 'status', { leg: 'outbound', conversationId: conversation.id }),
        statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
        statusCallbackMethod: 'POST',
      });
      callSid = call.sid;
    } catch (err) {
      log.warn({ err: (err as Error).message, conversationId: conversation.id }, 'outbound call failed');
      if (!reuse) {
        await db
          .update(conversations)
          .set({ status: 'resolved', resolvedAt: new Date(), disposition: 'call failed' })
          .where(eq(conversations.id, conversation.id));
      }
      throw new AppError('unavailable', `Twilio did not place the call: ${(err as Error).message}`);
    }
    await patchCall(
      db,
      conversation.id,
      { callSid, conference: conferenceName(conversation.id) },
      { threadKey: callSid, inboxAddress: from },
    );
    const agentCallSid = await dialAgentIn(deps, twilioClient, { ...conversation, inboxAddress: from }, actor.id).catch(
      async (err: unknown) => {
        // The contact must not answer into an empty conference.
        await twilioClient
          .calls(callSid)
          .update({ status: 'canceled' })
          .catch(() => {});
        await patchCall(db, conversation.id, { endedAt: new Date().toISOString(), callStatus: 'canceled' });
        throw new AppError('unavailable', `Twilio did not ring your softphone: ${(err as Error).message}`);
      },
    );
    const updated = await patchCall(db, conversation.id, { agentCallSid, bridgedAgentId: actor.id });
    const [message] = await db
      .insert(messages)
      .values({
        conversationId: conversation.id,
        channel: 'voice',
        direction: 'outbound',
        body: `Outbound call to ${target.phone}`,
        externalId: callSid,
        status: 'sent',
        authorAgentId: actor.id,
        metadata: { kind: 'outbound-call', callSid },
      })
      .returning();
    publishConversationChange(deps, updated!);
    publishMessage(deps, updated!, message);
    log.info({ conversationId: conversation.id, to: maskPhone(target.phone) }, 'outbound call placed');
    res.status(201).json({ conversation: toPublicConversation(updated!), callSid });
  });

  r.post('/calls/:id/hold', async (req, res) => {
    const c = await liveCall(actorOf(req), parse(ZId, req.params).id);
    await setHold(deps, needClient(), c, true);
    res.json({ conversationId: c.id, onHold: true });
  });

  r.post('/calls/:id/unhold', async (req, res) => {
    const c = await liveCall(actorOf(req), parse(ZId, req.params).id);
    await setHold(deps, needClient(), c, false);
    res.json({ conversationId: c.id, onHold: false });
  });

  // Transfer a live call: to a queue (the caller goes back on hold and is routed again)
  // or to an agent (the caller is held in the conference until that agent accepts and answers).
  r.post('/calls/:id/transfer', async (req, res) => {
    const actor = actorOf(req);
    const { id } = parse(ZId, req.params);
    const target = parse(ZTransfer, req.body);
    const twilioClient = needClient();
    const before = await liveCall(actor, id);
    const meta = metaOf(before);
    const holding = 'agentId' in target && Boolean(meta.bridgedAt);
    if (holding) await setHold(deps, twilioClient, before, true);
    const after = await transferConversation(deps, actor, id, target).catch(async (err: unknown) => {
      // Nobody to hand it to (at capacity, unknown queue…): the caller comes back off hold.
      if (holding) await setHold(deps, twilioClient, before, false).catch(() => {});
      throw err;
    });
    if ('queue' in target) {
      const moved = await patchCall(db, id, { mode: 'call', bridgedAt: null, onHold: false, direction: 'inbound' });
      await twilioClient.calls(meta.callSid!).update({ url: waitUrlOf(deps, moved!), method: 'POST' });
    }
    log.info({ conversationId: id, to: 'queue' in target ? `queue ${target.queue}` : `agent ${target.agentId}` }, 'call transferred');
    res.json({ conversation: toPublicConversation(after) });
  });

  async function liveCall(actor: Actor, id: string): Promise<ConversationRow> {
    const c = await loadVisibleConversation(db, actor, id);
    if (c.channel !== 'voice') throw new AppError('bad_request', 'not a call');
    if (c.assigneeId !== actor.id && !isSupervisor(actor)) throw forbidden('only the agent on the call (or a supervisor) can do that');
    const meta = metaOf(c);
    if (!meta.callSid || meta.endedAt || c.status !== 'assigned') throw new AppError('conflict', 'this call is not live');
    return c;
  }

  async function resolveTarget(
    actor: Actor,
    input: z.output<typeof ZPlaceCall>,
  ): Promise<{ contactId: string; phone: string; source?: ConversationRow }> {
    if (input.phone) {
      const { contactId } = await findOrCreateContact(db, { kind: 'phone', value: input.phone });
      return { contactId, phone: input.phone };
    }
    const source = input.conversationId ? await loadVisibleConversation(db, actor, input.conversationId) : undefined;
    const contactId = source?.contactId ?? input.contactId!;
    const callback = source ? metaOf(source).callbackNumber : undefined;
    if (callback) return { contactId, phone: callback, source };
    const [identity] = await db
      .select()
      .from(contactIdentities)
      .where(and(eq(contactIdentities.contactId, contactId), eq(contactIdentities.kind, 'phone')))
      .limit(1);
    if (!identity) {
      const [exists] = await db.select({ id: contacts.id }).from(contacts).where(eq(contacts.id, contactId));
      if (!exists) throw notFound('contact');
      throw new AppError('conflict', 'the contact has no phone number');
    }
    return { contactId, phone: identity.value, source };
  }

  /** A callback or voicemail this agent holds is called back in the same conversation. */
  function canReuse(c: ConversationRow, actor: Actor) {
    const meta = metaOf(c);
    return c.channel === 'voice' && c.status === 'assigned' && c.assigneeId === actor.id && (meta.mode !== 'call' || Boolean(meta.endedAt));
  }

  outer.use('/api/voice', r);
  return outer;
}
