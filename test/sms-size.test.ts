import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SMS_MAX_CHARS, smsSize } from '../src/core/conversations/sms-size.js';

describe('counting SMS segments as carriers do', () => {
  it('GSM-7 fits 160 characters in one SMS and 153 per part once split', () => {
    expect(smsSize('a'.repeat(160))).toMatchObject({ encoding: 'GSM-7', segments: 1, characters: 160 });
    expect(smsSize('a'.repeat(161)).segments).toBe(2);
    expect(smsSize('a'.repeat(306)).segments).toBe(2);
    expect(smsSize('a'.repeat(307)).segments).toBe(3);
  });

  it('one character outside GSM-7 makes the whole body UCS-2: 70 in one SMS, 67 per part', () => {
    expect(smsSize('Ω'.repeat(69) + 'ĉ')).toMatchObject({ encoding: 'UCS-2', segments: 1 });
    expect(smsSize('a'.repeat(70) + 'ĉ')).toMatchObject({ encoding: 'UCS-2', segments: 2 });
    expect(smsSize('ĉ'.repeat(134)).segments).toBe(2);
    expect(smsSize('ĉ'.repeat(135)).segments).toBe(3);
  });

  it('70 emoji need 3 SMS, not 1: each takes two UCS-2 code units and is never split across parts', () => {
    expect(smsSize('😀'.repeat(70))).toMatchObject({ encoding: 'UCS-2', segments: 3, characters: 140 });
    expect(smsSize('😀'.repeat(35)).segments).toBe(1); // 70 units: one SMS
    // Split, 33 emoji (66 units) fill a 67-unit part: a 34th would be cut in half, so it starts the next one.
    expect(smsSize('😀'.repeat(66)).segments).toBe(2);
    expect(smsSize('😀'.repeat(67)).segments).toBe(3);
  });

  it("GSM-7's extension characters (€ [ ] { } ~ ^ | \\) take two septets", () => {
    expect(smsSize('€'.repeat(80))).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(smsSize('€'.repeat(81)).segments).toBe(2);
    expect(smsSize('é à ñ ü Ä Ö £ ¥').encoding).toBe('GSM-7');
  });

  it('an empty body is no SMS at all', () => {
    expect(smsSize('')).toMatchObject({ segments: 0, characters: 0, tooLong: false });
  });

  it('refuses over 1,600 characters, counted in UTF-16 code units as Twilio does', () => {
    expect(smsSize('x'.repeat(SMS_MAX_CHARS)).tooLong).toBe(false);
    expect(smsSize('x'.repeat(SMS_MAX_CHARS + 1)).tooLong).toBe(true);
    expect(smsSize('😀'.repeat(801))).toMatchObject({ characters: 1602, tooLong: true });
  });

  it('never counts fewer parts than the body needs at the smallest part size', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (body) => {
        const s = smsSize(body);
        const perPart = s.encoding === 'GSM-7' ? 153 : 67;
        const single = s.encoding === 'GSM-7' ? 160 : 70;
        if (!body) return s.segments === 0;
        // GSM-7 extension characters and surrogate pairs can only add parts, never remove them.
        const units = s.encoding === 'GSM-7' ? [...body].length : body.length;
        return s.segments >= (units <= single ? 1 : Math.ceil(units / perPart));
      }),
    );
  });
});
