import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONTACT_TEXTS, contactText, SMS_SEGMENT_BUDGET, type ContactTextKey } from '../src/core/contact-texts.js';
import { smsSize } from '../src/core/conversations/sms-size.js';
import { LANGUAGES } from '../src/db/enums.js';
import { PHRASES } from '../src/ivr/render.js';

/**
 * Every text Switchboard sends contacts on its own exists in each language we serve, fills every
 * placeholder its callers pass, and — when it may go out as SMS — fits its segment budget in
 * GSM-7 (src/core/contact-texts.ts says why).
 */
const KEYS = Object.keys(CONTACT_TEXTS) as ContactTextKey[];
/** What the callers pass (csat/send-survey.ts, csat/record-answer.ts, requests/timers.ts), at their longest. */
const VARS = { number: 9_999_999, score: 5 };
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('texts sent to contacts', () => {
  it.each(KEYS)('%s exists in English and Spanish, each its own text with the same placeholders', (key) => {
    const { en, es } = CONTACT_TEXTS[key];
    expect(en.trim()).not.toBe('');
    expect(es.trim()).not.toBe('');
    expect(es).not.toBe(en);
    expect(placeholders(es)).toEqual(placeholders(en));
  });

  it.each(KEYS)('%s has no placeholder left once filled with what its callers pass', (key) => {
    for (const language of LANGUAGES) expect(contactText(key, language, VARS)).not.toMatch(/[{}]/);
  });

  it.each(Object.entries(SMS_SEGMENT_BUDGET))('%s fits in %i SMS segment(s), GSM-7, in every language', (key, budget) => {
    for (const language of LANGUAGES) {
      const size = smsSize(contactText(key as ContactTextKey, language, VARS));
      expect({ language, encoding: size.encoding, withinBudget: size.segments <= budget }).toEqual({
        language,
        encoding: 'GSM-7',
        withinBudget: true,
      });
    }
  });

  it('a contact of no known language gets English', () => {
    expect(contactText('sms.help', null)).toBe(CONTACT_TEXTS['sms.help'].en);
    expect(contactText('csat.thanks', 'es', { score: 4 })).toBe('¡Gracias! Nos ha dado un 4 de 5.');
  });

  it("the IVR's built-in phrases exist in English and Spanish", () => {
    for (const [key, text] of Object.entries(PHRASES)) {
      expect({ key, en: !!text.en.trim(), es: !!text.es.trim(), differ: text.en !== text.es }).toEqual({
        key,
        en: true,
        es: true,
        differ: true,
      });
    }
  });

  it('every text the shipped IVR flows speak exists in English and Spanish', () => {
    const missing: string[] = [];
    const walk = (node: unknown, at: string) => {
      if (!node || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      if (typeof o.en === 'string' && (typeof o.es !== 'string' || !o.es.trim())) missing.push(at);
      for (const [k, v] of Object.entries(o)) walk(v, `${at}.${k}`);
    };
    const dir = new URL('../ivr-flows/', import.meta.url);
    const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) walk(parse(readFileSync(new URL(file, dir), 'utf8')), file);
    expect(missing).toEqual([]);
  });
});
