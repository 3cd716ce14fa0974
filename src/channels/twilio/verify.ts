import express, { type RequestHandler } from 'express';
import twilio from 'twilio';
import type { Deps } from '../../core/ports.js';
import { sanitizeBody } from '../../http/sanitize-input.js';

/**
 * Checks `X-Twilio-Signature` against PUBLIC_URL + path + query, as Twilio
 * computed it. Anything unsigned or forged stops here with 403: nothing stored.
 */
export function verifyTwilioSignature(deps: Deps): RequestHandler {
  return (req, res, next) => {
    const token = deps.config.twilio.authToken;
    const signature = req.header('x-twilio-signature');
    const url = deps.config.publicUrl + req.originalUrl;
    const params = (req.body ?? {}) as Record<string, unknown>;
    if (!token || !signature || !twilio.validateRequest(token, signature, url, params)) {
      deps.log.warn({ path: req.path, configured: Boolean(token) }, 'rejected Twilio webhook: bad signature');
      res.status(403).type('text/plain').send('invalid Twilio signature');
      return;
    }
    next();
  };
}

/**
 * Body parser + signature check for one Twilio webhook route (form-encoded, as Twilio posts),
 * then the input rule (no NUL) — after the check, which is over the fields as Twilio sent them.
 */
export function twilioWebhook(deps: Deps): RequestHandler[] {
  return [express.urlencoded({ extended: false, limit: '256kb' }), verifyTwilioSignature(deps), sanitizeBody];
}
