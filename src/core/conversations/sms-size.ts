import { SegmentedMessage } from 'sms-segments-calculator';

/**
 * Twilio refuses an SMS body over 1,600 characters (error 21617). It counts
 * UTF-16 code units, so an emoji uses two of them.
 */
export const SMS_MAX_CHARS = 1600;

export type SmsSize = {
  /** GSM-7 fits 160 characters in one SMS (153 per part once split); UCS-2 fits 70 (67). */
  encoding: 'GSM-7' | 'UCS-2';
  /** How many SMS the carrier sends (and bills) for this body. */
  segments: number;
  /** What Twilio counts against `SMS_MAX_CHARS`. */
  characters: number;
  /** `SMS_MAX_CHARS`, for a client that loads this module lazily. */
  limit: number;
  tooLong: boolean;
};

/**
 * How a body travels as SMS, counted as carriers do (Twilio's own segment
 * calculator): one character outside GSM-7 turns the whole body into UCS-2,
 * GSM-7's extension characters (€ [ ] { } ~ ^ | \) take two septets, and a
 * character is never split across two parts. Shared by the desk's composer
 * and the reply API.
 */
export function smsSize(body: string): SmsSize {
  const message = new SegmentedMessage(body);
  const characters = body.length;
  return {
    encoding: message.encodingName,
    segments: body ? message.segmentsCount : 0,
    characters,
    limit: SMS_MAX_CHARS,
    tooLong: characters > SMS_MAX_CHARS,
  };
}
