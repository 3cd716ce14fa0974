/**
 * The number a caller keyed in for a callback, as E.164; the number they call
 * from when they keyed nothing (or something that cannot be a number).
 */
export function callbackNumber(digits: string | undefined, from: string): string {
  const d = (digits ?? '').replace(/\D/g, '');
  if (!d) return from;
  if (d.length === 10 && from.startsWith('+1')) return `+1${d}`;
  if (d.length === 11 && d.startsWith('1')) return `+${d}`;
  if (d.length >= 8 && d.length <= 15) return `+${d}`;
  return from;
}
