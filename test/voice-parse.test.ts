import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ZCallWebhook, ZFlowState, ZRecording } from '../src/channels/voice/parse-call.js';
import { isFinalStatus } from '../src/core/calls/call-meta.js';
import { callbackNumber } from '../src/core/calls/callback-number.js';

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
  it('is normalised to E.164, or falls back to the number they call from', () => {
    expect(callbackNumber('', '+14155550123')).toBe('+14155550123');
    expect(callbackNumber(undefined, '+14155550123')).toBe('+14155550123');
    expect(callbackNumber('6505550199', '+14155550123')).toBe('+16505550199');
    expect(callbackNumber('16505550199', '+14155550123')).toBe('+16505550199');
    expect(callbackNumber('34911234567', '+14155550123')).toBe('+34911234567');
    expect(callbackNumber('123', '+14155550123')).toBe('+14155550123');
    // A 10-digit number from a non-NANP caller is not guessed to be American.
    expect(callbackNumber('6505550199', '+34911234567')).toBe('+6505550199');
  });
});
