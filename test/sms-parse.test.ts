import { describe, expect, it } from 'vitest';
import { keywordOf, parseTwilioSms, ZTwilioSms } from '../src/channels/sms/parse-inbound.js';

// A recorded Twilio inbound MMS webhook (fields as Twilio posts them).
const recordedMms = {
  ToCountry: 'US',
  ToState: 'CA',
  SmsMessageSid: 'MM5ef8732a3c49700934481addd5ce1659',
  NumMedia: '2',
  ToCity: '',
  FromZip: '',
  SmsSid: 'MM5ef8732a3c49700934481addd5ce1659',
  FromState: 'NY',
  SmsStatus: 'received',
  FromCity: '',
  Body: 'Here is my receipt',
  FromCountry: 'US',
  To: '+15005550006',
  ToZip: '',
  NumSegments: '1',
  MessageSid: 'MM5ef8732a3c49700934481addd5ce1659',
  AccountSid: 'AC' + '0'.repeat(32),
  From: '+12125550143',
  ApiVersion: '2010-04-01',
  MediaContentType0: 'image/jpeg',
  MediaUrl0:
    'https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages/MM5ef8732a3c49700934481addd5ce1659/Media/ME1',
  MediaContentType1: 'application/pdf',
  MediaUrl1:
    'https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages/MM5ef8732a3c49700934481addd5ce1659/Media/ME2',
};

describe('Twilio SMS webhook → InboundMessage', () => {
  it('translates a recorded MMS, keeping media as references', () => {
    const msg = parseTwilioSms(ZTwilioSms.parse(recordedMms));
    expect(msg).toMatchObject({
      channel: 'sms',
      externalId: 'MM5ef8732a3c49700934481addd5ce1659',
      from: { kind: 'phone', value: '+12125550143' },
      inboxAddress: '+15005550006',
      body: 'Here is my receipt',
      control: undefined,
    });
    expect(msg.media).toEqual([
      { url: recordedMms.MediaUrl0, contentType: 'image/jpeg' },
      { url: recordedMms.MediaUrl1, contentType: 'application/pdf' },
    ]);
  });

  it('rejects payloads that are not Twilio messages', () => {
    expect(ZTwilioSms.safeParse({ ...recordedMms, MessageSid: 'hello' }).success).toBe(false);
    expect(ZTwilioSms.safeParse({ ...recordedMms, From: undefined }).success).toBe(false);
  });

  it.each([
    ['STOP', 'opt-out'],
    ['stop', 'opt-out'],
    [' Unsubscribe ', 'opt-out'],
    ['STOPALL', 'opt-out'],
    ['quit.', 'opt-out'],
    ['START', 'opt-in'],
    ['unstop', 'opt-in'],
    ['Yes', 'opt-in'],
    ['HELP', 'help'],
    ['info', 'help'],
    ['stop calling me at work', undefined],
    ['please help', undefined],
    ['', undefined],
  ])('keyword %j → %s', (body, expected) => {
    expect(keywordOf(body)).toBe(expected);
  });
});
