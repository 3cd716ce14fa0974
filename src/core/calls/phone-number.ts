import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/** A number we may ring, or why not (the reason is said to agents; it never repeats the number). */
export type Dialable = { ok: true; e164: string; country: string } | { ok: false; reason: string };

/** Number types that cost us per minute whoever answers: never rung, whatever the country. */
const COSTLY_TYPES = new Set(['PREMIUM_RATE', 'SHARED_COST']);

/**
 * Reads a phone number as libphonenumber does (full metadata, so number types
 * are known): E.164, or digits as someone in `defaultCountry` would dial them
 * (`2125551234`, `1 212…`, `011 44…`). It must be a real number of an allowed
 * country and not premium-rate. One rule for the desk, the softphone and callbacks.
 */
export function dialableNumber(input: string, opts: { allowedCountries: readonly string[]; defaultCountry?: string }): Dialable {
  const raw = input.trim();
  if (!raw || !/^\+?[\d\s().-]+$/.test(raw)) return { ok: false, reason: 'not a phone number we can dial' };
  const def = (opts.defaultCountry ?? opts.allowedCountries[0]) as CountryCode | undefined;
  const parsed = parsePhoneNumberFromString(raw, raw.startsWith('+') ? undefined : { defaultCountry: def });
  if (!parsed?.isValid() || !parsed.country) return { ok: false, reason: 'not a phone number we can dial' };
  if (COSTLY_TYPES.has(parsed.getType() ?? '')) return { ok: false, reason: 'premium-rate numbers are never dialled' };
  if (!opts.allowedCountries.includes(parsed.country))
    return { ok: false, reason: `calls to ${parsed.country} numbers are not allowed (VOICE_ALLOWED_COUNTRIES)` };
  return { ok: true, e164: parsed.number, country: parsed.country };
}

/** The country a number belongs to (undefined when it is not a valid number): how its owner dials. */
export function countryOf(e164: string): string | undefined {
  const p = parsePhoneNumberFromString(e164);
  return p?.isValid() ? p.country : undefined;
}
