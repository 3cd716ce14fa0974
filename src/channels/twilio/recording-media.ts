import type { Config } from '../../config.js';
import type { RecordingMedia } from '../../core/ports.js';

const TWILIO_API = 'https://api.twilio.com';

/**
 * Fetches a recording's MP3 from Twilio's REST API (TWILIO_API_URL when set, like the client)
 * with the account's credentials, so it plays even when the account enforces HTTP auth on
 * media. Twilio may redirect to its media store; fetch follows and, the store being another
 * origin, drops our Authorization header on the way.
 */
export function twilioRecordingMedia(config: Config['twilio']) {
  const base = (config.apiUrl ?? TWILIO_API).replace(/\/$/, '');
  const auth = `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64')}`;
  return async (recordingSid: string, opts: { range?: string; signal?: AbortSignal }): Promise<RecordingMedia> => {
    const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid!)}/Recordings/${encodeURIComponent(recordingSid)}.mp3`;
    const res = await fetch(url, {
      headers: { authorization: auth, ...(opts.range ? { range: opts.range } : {}) },
      signal: opts.signal,
      redirect: 'follow',
    });
    return {
      status: res.status,
      contentType: res.headers.get('content-type') ?? undefined,
      contentLength: res.headers.get('content-length') ?? undefined,
      contentRange: res.headers.get('content-range') ?? undefined,
      body: res.body,
    };
  };
}
