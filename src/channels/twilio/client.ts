import twilio from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient.js';
import type { Config } from '../../config.js';

type TwilioClient = ReturnType<typeof twilio>;

/**
 * The official client, with every REST call's host swapped for
 * `TWILIO_API_URL` when set (a local simulator in tests, a proxy in odd setups).
 */
class RebasedRequestClient extends RequestClient {
  constructor(private readonly baseUrl: string) {
    super();
  }
  override request<T>(opts: RequestClient.RequestOptions<T>) {
    const uri = opts.uri.replace(/^https:\/\/[a-z0-9.-]+\.twilio\.com/i, this.baseUrl.replace(/\/$/, ''));
    return super.request({ ...opts, uri });
  }
}

export function createTwilioClient(config: Config['twilio']): TwilioClient | null {
  if (!config.accountSid || !config.authToken) return null;
  return twilio(config.accountSid, config.authToken, {
    httpClient: config.apiUrl ? new RebasedRequestClient(config.apiUrl) : undefined,
  });
}

export type { TwilioClient };
