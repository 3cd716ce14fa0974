import type { Request, RequestHandler, Response } from 'express';
import { AppError } from '../../core/errors.js';
import type { Deps } from '../../core/ports.js';

/**
 * How long a webhook waits for Postgres before its delivery is journalled
 * instead: well inside Twilio's 15 s. If the commit lands after all, the
 * replay finds the delivery id claimed and does nothing.
 */
export const COMMIT_DEADLINE_MS = 8_000;

export type JournalledOptions = {
  /** Replays the journalled delivery (registered with the journal under this kind). */
  kind: string;
  /** What Twilio hears when the delivery was journalled instead of stored (an empty TwiML, an apology…). */
  answer: (req: Request, res: Response) => void;
  /** Deliveries whose order matters (texts): while older ones wait in the journal, new ones queue behind them. */
  ordered?: boolean;
};

/**
 * Wraps a verified Twilio webhook handler so a delivery that cannot be
 * committed is never answered with an error Twilio would not retry (by
 * default Twilio does not retry a 5xx): it is appended to the durable
 * journal and answered 200 with `answer`. Bad input (the handler's own 4xx,
 * an AppError below 500) still fails as before.
 */
export function journalled(
  deps: Deps,
  opts: JournalledOptions,
  handler: (req: Request, res: Response) => Promise<unknown>,
): RequestHandler {
  return async (req, res) => {
    const journal = deps.journal;
    if (!journal) return void (await handler(req, res));
    const keep = async () => {
      await journal.append({ kind: opts.kind, query: stringsOf(req.query), body: stringsOf(req.body) });
      opts.answer(req, res);
    };
    if (opts.ordered && journal.hasBacklog()) return keep();

    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<{ late: true }>((resolve) => {
      timer = setTimeout(() => resolve({ late: true }), COMMIT_DEADLINE_MS);
    });
    // After the deadline the handler may still finish (or fail writing a response already sent): ignored.
    const run = handler(req, res).then(
      () => ({ done: true as const }),
      (err: unknown) => ({ err }),
    );
    const outcome = await Promise.race([run, late]);
    clearTimeout(timer);
    if ('done' in outcome) return;
    if ('err' in outcome && outcome.err instanceof AppError && outcome.err.status < 500) throw outcome.err;
    if (res.headersSent) return;
    // The error goes through the logger's serializer: drizzle's own message carries the bound values (phones, bodies).
    deps.log.warn(
      'late' in outcome ? { kind: opts.kind, reason: 'timeout' } : { kind: opts.kind, err: outcome.err },
      'webhook journalled: could not commit it now; it is stored when Postgres answers',
    );
    // If appending fails too (disk full), the error reaches the error handler: a 500, honestly.
    await keep();
  };
}

/** Form fields and query parameters as plain strings (what Twilio posts). */
function stringsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}
