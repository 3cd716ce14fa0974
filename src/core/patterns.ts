/**
 * Text patterns the server and the desk share. Plain values with no imports,
 * so the desk's bundle can import this file too.
 */

/** A phone number in E.164: "+", a country code (never 0), 7 to 15 digits in all. */
export const E164 = /^\+[1-9]\d{6,14}$/;
/** What to tell someone whose number is not E.164. */
export const E164_HINT = 'must be an E.164 number like +15551234567';

/** A UUID (any version, either case), as a regex source to build larger patterns from. */
export const UUID_SOURCE = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** Exactly a UUID: check ids from URLs before they reach a uuid column (Postgres would fail the query). */
export const UUID = new RegExp(`^${UUID_SOURCE}$`, 'i');
