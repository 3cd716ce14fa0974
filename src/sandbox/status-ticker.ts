import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { claimDueStatus } from './store.js';
import { postAsTwilio } from './webhook-post.js';

/** Time between a text's simulated delivery reports (queued → sent → delivered). */
const STATUS_STEP_MS = 600;
const TICK_MS = 250;

/**
 * Posts the sandbox texts' delivery reports through the real status webhook
 * (signed, to this web process), one due report at a time: any web process
 * may take any report, each exactly once.
 */
export function startStatusTicker(
  deps: { config: Config; db: Db; log: Logger },
  httpBase: () => string | undefined,
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const tick = async () => {
    const base = httpBase();
    if (!base) return;
    for (let n = 0; n < 50; n++) {
      const due = await claimDueStatus(deps.db, STATUS_STEP_MS);
      if (!due) return;
      const callback = due.message.metadata.statusCallback;
      if (typeof callback !== 'string') continue;
      const r = await postAsTwilio(base, callback, deps.config.twilio.authToken!, {
        AccountSid: deps.config.twilio.accountSid!,
        MessageSid: due.message.externalId,
        SmsSid: due.message.externalId,
        MessageStatus: due.status,
        SmsStatus: due.status,
        From: due.message.inbox,
        To: due.message.contact,
        ApiVersion: '2010-04-01',
      });
      if (r.status >= 300) deps.log.warn({ status: r.status, report: due.status }, 'sandbox status callback refused');
    }
  };
  const timer = setInterval(() => {
    running ??= tick()
      .catch((err: unknown) => deps.log.warn({ err }, 'sandbox status callbacks failed'))
      .finally(() => {
        running = undefined;
      });
  }, TICK_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
