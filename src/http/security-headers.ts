import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Where the desk's Twilio Voice SDK connects (read from @twilio/voice-sdk: regions.ts and
 * constants.ts): signalling on wss://voice-js.<edge>.twilio.com, call-quality events on
 * https://eventgw[.<region>].twilio.com, ringtones from https://sdk.twilio.com (fetched with XHR,
 * then played). Media itself is WebRTC, which CSP does not govern.
 */
export const TWILIO_VOICE_SOURCES = {
  connect: ['wss://*.twilio.com', 'https://eventgw.twilio.com', 'https://*.twilio.com', 'https://sdk.twilio.com'],
  media: ['https://sdk.twilio.com'],
};

/**
 * Headers on every response (helmet): a strict Content-Security-Policy for the desk (scripts and
 * styles only from our own origin: no inline script, no eval), nosniff, no framing (both
 * X-Frame-Options and frame-ancestors), no referrer, HSTS when PUBLIC_URL is https. The desk's
 * socket is same-origin (`connect-src 'self'` covers ws/wss there).
 */
export function securityHeaders(publicUrl: string): RequestHandler[] {
  const https = publicUrl.startsWith('https:');
  const csp = helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: {
      'default-src': ["'self'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:', 'blob:'],
      'font-src': ["'self'"],
      'connect-src': ["'self'", ...TWILIO_VOICE_SOURCES.connect],
      'media-src': ["'self'", 'blob:', ...TWILIO_VOICE_SOURCES.media],
      'worker-src': ["'self'", 'blob:'],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
      ...(https ? { 'upgrade-insecure-requests': [] } : {}),
    },
  });
  const rest = helmet({
    contentSecurityPolicy: false,
    // Only an https deployment can promise https; over http browsers ignore the header anyway.
    strictTransportSecurity: https ? { maxAge: 365 * 24 * 3600, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
  });
  // The softphone needs the microphone; nothing here needs the camera, location or payment.
  const permissions: RequestHandler = (_req, res, next) => {
    res.setHeader('Permissions-Policy', 'microphone=(self), camera=(), geolocation=(), payment=(), usb=()');
    next();
  };
  return [csp, rest, permissions];
}
