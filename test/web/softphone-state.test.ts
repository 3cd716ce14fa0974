import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeVoiceError,
  formatDuration,
  initialSoftphone,
  softphoneActions,
  softphoneReducer,
  type SoftphoneEvent,
  type SoftphoneState,
} from '../../src/web/state/softphone.js';

const run = (...events: SoftphoneEvent[]) => events.reduce(softphoneReducer, initialSoftphone);
const ready = () => run({ type: 'register.start' }, { type: 'register.ok' });

describe('the softphone state machine', () => {
  it('an inbound call: rings, is answered, opens with a timer, mutes, takes digits, ends', () => {
    let s = softphoneReducer(ready(), { type: 'incoming', peer: '+15551230001', callSid: 'CA1', conversationId: 'conv-1' });
    expect(s.call).toMatchObject({ phase: 'ringing', direction: 'inbound', peer: '+15551230001' });
    expect(softphoneActions(s)).toMatchObject({ answer: true, reject: true, hangup: false, mute: false, dial: false });
    s = softphoneReducer(s, { type: 'answer' });
    expect(s.call!.phase).toBe('connecting');
    s = softphoneReducer(s, { type: 'call.accepted', at: 1_000 });
    expect(s.call).toMatchObject({ phase: 'open', startedAt: 1_000 });
    expect(softphoneActions(s)).toMatchObject({ answer: false, hangup: true, mute: true, hold: true, keypad: true, transfer: true });
    s = softphoneReducer(s, { type: 'mute', muted: true });
    s = softphoneReducer(s, { type: 'digit', digit: '5' });
    s = softphoneReducer(s, { type: 'digit', digit: 'x' });
    expect(s.call).toMatchObject({ muted: true, digits: '5' });
    s = softphoneReducer(s, { type: 'call.ended', at: 66_000 });
    expect(s.call).toBeNull();
    expect(s.lastCall).toEqual({ peer: '+15551230001', seconds: 65 });
  });

  it('ignores what makes no sense in the current state', () => {
    const idle = ready();
    expect(softphoneReducer(idle, { type: 'answer' })).toBe(idle);
    expect(softphoneReducer(idle, { type: 'mute', muted: true })).toBe(idle);
    expect(softphoneReducer(idle, { type: 'dial', to: '   ', conversationId: null })).toBe(idle);
    // Not registered: no ringing, no dialling.
    expect(softphoneReducer(initialSoftphone, { type: 'incoming', peer: 'x', callSid: null, conversationId: null }).call).toBeNull();
    expect(softphoneReducer(initialSoftphone, { type: 'dial', to: '+1555', conversationId: null }).call).toBeNull();
    // A ringing call cannot be muted or held.
    const ringing = softphoneReducer(idle, { type: 'incoming', peer: 'x', callSid: null, conversationId: null });
    expect(softphoneReducer(ringing, { type: 'hold', held: true })).toBe(ringing);
    // One call at a time.
    expect(softphoneReducer(ringing, { type: 'incoming', peer: 'y', callSid: null, conversationId: null }).call!.peer).toBe('x');
  });

  it('an outbound call without a conversation cannot be transferred', () => {
    let s = softphoneReducer(ready(), { type: 'dial', to: ' +15551239999 ', conversationId: null });
    expect(s.call).toMatchObject({ phase: 'connecting', direction: 'outbound', peer: '+15551239999' });
    s = softphoneReducer(s, { type: 'call.accepted', at: 0, callSid: 'CA9' });
    expect(s.call!.callSid).toBe('CA9');
    expect(softphoneActions(s).transfer).toBe(false);
  });

  it('keeps a device error apart from a live call, and voice-not-configured apart from errors', () => {
    let s = softphoneReducer(ready(), { type: 'incoming', peer: 'x', callSid: null, conversationId: null });
    s = softphoneReducer(s, { type: 'device.error', message: 'boom' });
    expect(s.device).toBe('ready');
    expect(s.error).toBe('boom');
    expect(softphoneReducer(s, { type: 'dismiss.error' }).error).toBeNull();
    expect(run({ type: 'register.unavailable', reason: 'not configured' }).device).toBe('unavailable');
  });

  it('whatever happens, a call is never open without a start time and digits stay dialable', () => {
    const event = fc.oneof(
      fc.constant<SoftphoneEvent>({ type: 'register.ok' }),
      fc.constant<SoftphoneEvent>({ type: 'answer' }),
      fc.record({
        type: fc.constant('incoming' as const),
        peer: fc.string(),
        callSid: fc.constant(null),
        conversationId: fc.option(fc.uuid()),
      }),
      fc.record({ type: fc.constant('dial' as const), to: fc.string(), conversationId: fc.constant(null) }),
      fc.record({ type: fc.constant('call.accepted' as const), at: fc.nat() }),
      fc.record({ type: fc.constant('call.ended' as const), at: fc.nat() }),
      fc.record({ type: fc.constant('mute' as const), muted: fc.boolean() }),
      fc.record({ type: fc.constant('hold' as const), held: fc.boolean() }),
      fc.record({ type: fc.constant('digit' as const), digit: fc.string({ maxLength: 2 }) }),
      fc.record({ type: fc.constant('device.error' as const), message: fc.string() }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 40 }), (events) => {
        let s: SoftphoneState = initialSoftphone;
        for (const e of events) {
          s = softphoneReducer(s, e);
          if (s.call?.phase === 'open') expect(s.call.startedAt).not.toBeNull();
          if (s.call) expect(s.call.digits).toMatch(/^[0-9*#]{0,24}$/);
          if (s.call && s.call.phase !== 'open') expect(s.call.muted || s.call.held).toBe(false);
        }
      }),
    );
  });

  it('formats the timer and explains errors', () => {
    expect(formatDuration(5)).toBe('00:05');
    expect(formatDuration(125)).toBe('02:05');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(describeVoiceError({ name: 'NotAllowedError', message: 'Permission denied' })).toMatch(/Microphone blocked/);
    expect(describeVoiceError({ code: 31401 })).toMatch(/Microphone blocked/);
    expect(describeVoiceError({ code: 31005, message: 'ws closed' })).toMatch(/connection/);
    expect(describeVoiceError({ code: 1, message: 'odd' })).toBe('Phone error: odd');
  });
});

describe('dialling', () => {
  it('accepts numbers the way agents type them, as E.164', async () => {
    const { toE164 } = await import('../../src/web/voice.js');
    expect(toE164('+1 (555) 123-4567')).toBe('+15551234567');
    expect(toE164('+44 20 7946 0958')).toBe('+442079460958');
    expect(toE164('555-1234')).toBeNull();
    expect(toE164('+0123456789')).toBeNull();
  });
});
