import { useEffect, useState } from 'react';
import type { SmsSize } from '../../../../core/conversations/sms-size.js';

type SizeOf = (body: string) => SmsSize;
let loaded: SizeOf | null = null;

/**
 * How the text would travel as SMS (segments, encoding, the 1,600-character limit), counted by
 * the same module the reply API checks with. The counter is loaded on first use, so agents who
 * never answer a text do not download it with the desk; null until it is there (or when `enabled` is false).
 */
export function useSmsSize(text: string, enabled: boolean): SmsSize | null {
  const [sizeOf, setSizeOf] = useState<SizeOf | null>(() => loaded);
  useEffect(() => {
    if (!enabled || sizeOf) return;
    let live = true;
    import('../../../../core/conversations/sms-size.js').then(
      (m) => {
        loaded = m.smsSize;
        if (live) setSizeOf(() => m.smsSize);
      },
      () => {}, // a failed chunk load leaves the count off; the API still refuses an over-long SMS
    );
    return () => {
      live = false;
    };
  }, [enabled, sizeOf]);
  return enabled && sizeOf ? sizeOf(text) : null;
}
