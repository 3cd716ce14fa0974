import type { Config } from '../../config.js';
import { countryOf, dialableNumber, type Dialable } from './phone-number.js';

export const CALLER_ID_WITHHELD = 'the caller ID is withheld';

/**
 * The number a caller keyed in for a callback, read as they would dial it from
 * their own country (`2125551234`, `011 44…`); the number they call from when
 * they keyed nothing. Either must be one we may ring (a withheld caller ID
 * never is): otherwise the caller is asked again, and no callback is made.
 */
export function callbackNumber(config: Pick<Config, 'voice'>, digits: string | undefined, from: string): Dialable {
  const allowedCountries = config.voice.allowedCountries;
  const d = (digits ?? '').replace(/[^\d]/g, '');
  if (!d) {
    if (!from.startsWith('+')) return { ok: false, reason: CALLER_ID_WITHHELD };
    return dialableNumber(from, { allowedCountries });
  }
  return dialableNumber(d, { allowedCountries, defaultCountry: countryOf(from) });
}

/** A number read back one digit at a time, in groups (`2 1 2, 5 5 5, 1 2 3 4`), without the country code. */
export function digitByDigit(e164: string): string {
  const national = e164.startsWith('+1') ? e164.slice(2) : e164.slice(1);
  const groups = national.length === 10 ? [national.slice(0, 3), national.slice(3, 6), national.slice(6)] : national.match(/.{1,3}/g)!;
  return groups.map((g) => g.split('').join(' ')).join(', ');
}
