import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient.js';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { TwilioClient } from '../channels/twilio/client.js';
import { findSandboxMessage, recordSandboxMessage, setSandboxStatus } from './store.js';

export const twilioSid = (prefix: 'SM' | 'CA') => prefix + randomBytes(16).toString('hex');

/** The delivery reports a real text goes through, posted back one after another (see status-ticker.ts). */
export const SMS_STATUSES = ['queued', 'sent', 'delivered'];

/**
 * Twilio's REST API played in-process: the official client, whose HTTP
 * client answers from here instead of api.twilio.com. Texts and calls are
 * kept in Postgres for the /sandbox screen; a text's status callbacks are
 * scheduled for the real status webhook.
 */
class SandboxTwilioHttp extends RequestClient {
  constructor(private readonly db: Db) {
    super();
  }

  override request<T>(opts: RequestClient.RequestOptions<T>) {
    // The client parses `body` itself (a JSON string, as its HTTP layer hands it over).
    return this.answer(opts) as Promise<never>;
  }

  private async answer<T>(opts: RequestClient.RequestOptions<T>) {
    const path = new URL(opts.uri).pathname;
    const data = (opts.data ?? {}) as Record<string, string | string[]>;
    const field = (k: string) => (Array.isArray(data[k]) ? data[k][0] : data[k]) ?? '';
    const method = (opts.method ?? 'get').toUpperCase();
    const reply = (statusCode: number, body: object) => ({ statusCode, body: JSON.stringify(body), headers: {} });
    let m: RegExpMatchArray | null;

    if (method === 'POST' && /\/Messages\.json$/.test(path)) {
      const sid = twilioSid('SM');
      const callback = field('StatusCallback');
      await recordSandboxMessage(this.db, {
        channel: 'sms',
        direction: 'outbound',
        contact: field('To'),
        inbox: field('From'),
        body: field('Body'),
        externalId: sid,
        status: 'accepted',
        pendingStatuses: callback ? SMS_STATUSES : [],
        nextStatusAt: callback ? new Date() : null,
        metadata: callback ? { statusCallback: callback } : {},
      });
      return reply(201, { sid, to: field('To'), from: field('From'), body: field('Body'), status: 'queued', num_media: '0' });
    }
    if (method === 'POST' && /\/Calls\.json$/.test(path)) {
      const sid = twilioSid('CA');
      await recordSandboxMessage(this.db, {
        channel: 'voice',
        direction: 'outbound',
        contact: field('To'),
        inbox: field('From'),
        body: 'Outgoing call',
        externalId: sid,
        status: 'queued',
        metadata: {},
      });
      return reply(201, { sid, to: field('To'), from: field('From'), status: 'queued', direction: 'outbound-api' });
    }
    if ((m = path.match(/\/Calls\/([^/]+)\.json$/))) {
      const sid = m[1];
      const status = field('Status');
      if (method === 'POST' && status) await setSandboxStatus(this.db, sid, status);
      const call = await findSandboxMessage(this.db, sid);
      // A call the sandbox never placed has ended, as far as it can tell.
      return reply(200, { sid, status: call?.status ?? 'completed', duration: call ? null : '0' });
    }
    if ((m = path.match(/\/Conferences\/([^/]+)\/Participants(?:\/([^/]+))?\.json$/))) {
      const callSid = m[2] ?? twilioSid('CA');
      return reply(method === 'POST' && !m[2] ? 201 : method === 'DELETE' ? 204 : 200, {
        call_sid: callSid,
        conference_sid: m[1],
        label: field('Label') || null,
        hold: field('Hold') === 'true',
        status: 'connected',
      });
    }
    return reply(404, { code: 20404, message: `the sandbox does not play ${method} ${path}`, status: 404 });
  }
}

export function sandboxTwilioClient(config: Config, db: Db): TwilioClient {
  return twilio(config.twilio.accountSid, config.twilio.authToken, { httpClient: new SandboxTwilioHttp(db) });
}
