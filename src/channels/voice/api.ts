import express, { Router } from 'express';
import twilio from 'twilio';
import { z } from 'zod';
import { placeOutboundCall, ZPlaceCall } from '../../core/calls/place-outbound-call.js';
import { setCallHold } from '../../core/calls/set-call-hold.js';
import { transferCall } from '../../core/calls/transfer-call.js';
import { ZTransferTarget } from '../../core/conversations/transfer.js';
import { AppError } from '../../core/errors.js';
import { toPublicConversation, type Deps } from '../../core/ports.js';
import { actorOf, parse, requireAuth } from '../../http/middleware.js';
import { maskPhone } from '../../logger.js';

/** Softphone tokens live this long; the desk fetches a new one before it lapses (`tokenWillExpire`). */
export const VOICE_TOKEN_TTL_SECONDS = 15 * 60;

const ZId = z.object({ id: z.string().uuid('id must be a UUID') });

/**
 * The desk's voice controls under /api/voice (extensions; see docs/voice.md):
 * softphone token, outbound calls, hold, transfer of a live call. The calls
 * themselves are `core/calls` use-cases.
 */
export function voiceApiRouter(deps: Deps): Router {
  const outer = Router();
  const r = Router();
  r.use(express.json({ limit: '64kb' }), requireAuth(deps));

  /** Call controls need Twilio's REST credentials: say which are missing. */
  const needCalls = () => {
    if (!deps.calls) throw new AppError('unavailable', 'voice is not configured: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN');
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
    needCalls();
    const placed = await placeOutboundCall(deps, actor, input);
    deps.log.info({ conversationId: placed.conversation.id, to: maskPhone(placed.to) }, 'outbound call placed');
    res.status(201).json({ conversation: toPublicConversation(placed.conversation), callSid: placed.callSid });
  });

  r.post('/calls/:id/hold', async (req, res) => {
    const { id } = parse(ZId, req.params);
    needCalls();
    res.json(await setCallHold(deps, actorOf(req), id, true));
  });

  r.post('/calls/:id/unhold', async (req, res) => {
    const { id } = parse(ZId, req.params);
    needCalls();
    res.json(await setCallHold(deps, actorOf(req), id, false));
  });

  // Transfer a live call: to a queue (the caller goes back on hold and is routed again)
  // or to an agent (the caller is held in the conference until that agent accepts and answers).
  r.post('/calls/:id/transfer', async (req, res) => {
    const actor = actorOf(req);
    const { id } = parse(ZId, req.params);
    const target = parse(ZTransferTarget, req.body);
    needCalls();
    const after = await transferCall(deps, actor, id, target);
    res.json({ conversation: toPublicConversation(after) });
  });

  outer.use('/api/voice', r);
  return outer;
}
