import { createHmac } from 'node:crypto';
import twilio from 'twilio';

/**
 * Where this process serves HTTP and SMTP: the sandbox delivers what a vendor would post to the public
 * URL straight to this process, signed for the public URL exactly as the vendor signs it.
 */
export type LocalEndpoints = { httpBase?: string; smtpPort?: number };

/** POSTs a form as Twilio does: `X-Twilio-Signature` over the public URL and the sorted fields. */
export async function postAsTwilio(
  local: string,
  publicUrl: string,
  authToken: string,
  params: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const u = new URL(publicUrl);
  const signature = twilio.getExpectedTwilioSignature(authToken, publicUrl, params);
  const res = await fetch(local + u.pathname + u.search, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signature,
      'user-agent': 'TwilioProxy/1.1 (sandbox)',
    },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, text: await res.text() };
}

/** POSTs JSON as Slack does: `v0` HMAC-SHA256 signature over `v0:{timestamp}:{body}` with the signing secret. */
export async function postAsSlack(local: string, signingSecret: string, payload: object): Promise<{ status: number; text: string }> {
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  const res = await fetch(`${local}/slack/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-slack-signature': signature,
      'x-slack-request-timestamp': timestamp,
      'user-agent': 'Slackbot 1.0 (sandbox)',
    },
    body,
  });
  return { status: res.status, text: await res.text() };
}
