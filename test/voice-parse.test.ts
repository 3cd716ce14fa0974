import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ZCallWebhook, ZFlowState, ZRecording } from '../src/channels/voice/parse-call.js';
import { isFinalStatus } from '../src/core/calls/call-meta.js';
import { callbackNumber, digitByDigit } from '../src/core/calls/callback-number.js';

const incoming = JSON.parse(readFileSync('test/fixtures/twilio-voice-incoming.json', 'utf8')) as Record<string, string>;

describe('Twilio voice payloads', () => {
  it('a recorded incoming-call webhook parses, keeping the fields we use', () => {
    const p = ZCallWebhook.parse(incoming);
    expect(p).toMatchObject({ CallSid: incoming.CallSid, From: '+14155550123', To: '+15005550006', CallStatus: 'ringing' });
    expect(ZCallWebhook.safeParse({ ...incoming, CallSid: 'SM' + 'a'.repeat(32) }).success).toBe(false);
  });

  it('continuation state: defaults, and nothing outside the allowed shapes', () => {
    expect(ZFlowState.parse({ node: 'menu' })).toEqual({ flow: 'main', node: 'menu', lang: 'en', try: 0 });
    expect(ZFlowState.safeParse({ node: 'menu', lang: 'fr' }).success).toBe(false);
    expect(ZFlowState.safeParse({ node: '../etc' }).success).toBe(false);
    expect(ZFlowState.safeParse({ node: 'menu', try: '99' }).success).toBe(false);
  });

  it('recordings need a recording sid and URL', () => {
    expect(
      ZRecording.parse({ RecordingSid: 'RE' + '1'.repeat(32), RecordingUrl: 'https://api.twilio.com/x', RecordingDuration: '7' })
        .RecordingDuration,
    ).toBe(7);
    expect(ZRecording.safeParse({ RecordingSid: 'RE1', RecordingUrl: 'https://api.twilio.com/x' }).success).toBe(false);
  });

  it('final call statuses', () => {
    expect(['completed', 'busy', 'no-answer', 'failed', 'canceled'].every(isFinalStatus)).toBe(true);
    expect(['queued', 'ringing', 'in-progress', undefined].some(isFinalStatus)).toBe(false);
  });
});

describe('the number a caller keys in for a callback', () => {
  const config = { voice: { allowedCountries: ['US', 'CA'] } };
  const number = (digits: string | undefined, from: string) => {
    const n = callbackNumber(config, digits, from);
    return n.ok ? n.e164 : n.reason;
  };
  it('is read as the caller would dial it from their country, or is the number they call from', () => {
    expect(number('', '+14155550123')).toBe('+14155550123');
    expect(number(undefined, '+14155550123')).toBe('+14155550123');
    expect(number('6505550199', '+14155550123')).toBe('+16505550199');
    expect(number('16505550199', '+14155550123')).toBe('+16505550199');
    expect(number('6135550123', '+16135550100')).toBe('+16135550123');
  });
  it('refuses premium-rate, other countries, impossible numbers and a withheld caller ID', () => {
    expect(number('19005550199', '+14155550123')).toBe('premium-rate numbers are never dialled');
    expect(number('011442071838750', '+14155550123')).toMatch(/GB numbers are not allowed/);
    expect(number('12345678', '+14155550123')).toBe('not a phone number we can dial');
    expect(number('0000000000', '+14155550123')).toBe('not a phone number we can dial');
    expect(number('123', '+14155550123')).toBe('not a phone number we can dial');
    expect(number('', 'anonymous')).toBe('the caller ID is withheld');
    expect(number('', '+15551234567')).toBe('not a phone number we can dial');
  });
  it('is read back digit by digit', () => {
    expect(digitByDigit('+12125551234')).toBe('2 1 2, 5 5 5, 1 2 3 4');
  });
});
