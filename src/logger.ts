import { pino, type DestinationStream, type Logger } from 'pino';
import { pgErrorOf } from './db/errors.js';

export type { Logger };

/**
 * Message bodies never reach the logs, and anything that looks like contact
 * identity is masked. Redaction is a safety net; call sites should log ids.
 * Errors go through `serializeError` whatever key they are logged under.
 */
export function createLogger(level: string, base: Record<string, unknown> = {}, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'switchboard', ...base },
    serializers: { err: serializeError, error: serializeError, cause: serializeError },
    redact: {
      paths: [
        'body',
        '*.body',
        'Body',
        '*.Body',
        'text',
        '*.text',
        'html',
        '*.html',
        'password',
        '*.password',
        'token',
        '*.token',
        'authorization',
        '*.authorization',
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-twilio-signature"]',
        'req.headers["x-slack-signature"]',
      ],
      censor: '[redacted]',
    },
  };
  // Written asynchronously: a synchronous write to stdout stops the event loop whenever the
  // reader of the pipe (journald, docker, a supervisor) falls behind, as it does in a surge.
  // pino flushes what is pending when the process exits; a SIGKILL loses the lines not yet written.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}

/** Names of the SQLSTATEs we see, so a log line says what happened without the message (which may quote values). */
const PG_CONDITIONS: Record<string, string> = {
  '23505': 'unique_violation',
  '23503': 'foreign_key_violation',
  '23502': 'not_null_violation',
  '23514': 'check_violation',
  '22P02': 'invalid_text_representation',
  '22021': 'character_not_in_repertoire',
  '22P05': 'untranslatable_character',
  '22001': 'string_data_right_truncation',
  '22003': 'numeric_value_out_of_range',
  '40001': 'serialization_failure',
  '40P01': 'deadlock_detected',
  '57014': 'query_canceled',
};

export type SerializedError = {
  type: string;
  message: string;
  code?: string | number;
  constraint?: string;
  table?: string;
  column?: string;
  status?: number;
  stack?: string;
  cause?: SerializedError;
};

/**
 * The one way an error reaches the logs. A database error keeps the driver's
 * SQLSTATE, constraint, table and column, never its message, detail, query or
 * parameters (drizzle puts every bound value — bodies, phones, password hashes —
 * into its message). Any other error keeps its type, code and message with
 * phone numbers and email addresses masked; arbitrary properties (body-parser
 * attaches the raw request body) are dropped.
 */
export function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) {
    return typeof err === 'string' ? scrubText(err) : err;
  }
  return describeError(err, 0);
}

function describeError(err: Error, depth: number): SerializedError {
  const type = err.constructor?.name && err.constructor.name !== 'Object' ? err.constructor.name : err.name;
  const frames = (err.stack ?? '')
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .join('\n');
  const x = err as { code?: unknown; status?: unknown; statusCode?: unknown; cause?: unknown };
  const db = pgErrorOf(err);
  if (db) {
    const message = `${PG_CONDITIONS[db.code] ?? 'database error'} (${db.code})${db.constraint ? ` on ${db.constraint}` : ''}`;
    return {
      type,
      message,
      code: db.code,
      ...(db.constraint ? { constraint: db.constraint } : {}),
      ...(db.table ? { table: db.table } : {}),
      ...(db.column ? { column: db.column } : {}),
      stack: `${type}: ${message}\n${frames}`,
    };
  }
  if (isQueryError(err)) {
    // Not a server error (a dropped connection…): the cause says which, the query and values stay out.
    const cause = x.cause instanceof Error && depth < 3 && !isQueryError(x.cause) ? describeError(x.cause, depth + 1) : undefined;
    return { type, message: 'query failed', stack: `${type}: query failed\n${frames}`, ...(cause ? { cause } : {}) };
  }
  const message = scrubText(err.message);
  const code = typeof x.code === 'string' || typeof x.code === 'number' ? x.code : undefined;
  const status = typeof x.status === 'number' ? x.status : typeof x.statusCode === 'number' ? x.statusCode : undefined;
  return {
    type,
    message,
    ...(code !== undefined ? { code } : {}),
    ...(status !== undefined ? { status } : {}),
    stack: `${type}: ${message}\n${frames}`,
    ...(x.cause instanceof Error && depth < 3 ? { cause: describeError(x.cause, depth + 1) } : {}),
  };
}

/** drizzle's wrapper (or anything carrying a query and its parameters) whose cause is not a Postgres error. */
function isQueryError(err: Error): boolean {
  return err.name === 'DrizzleQueryError' || err.constructor?.name === 'DrizzleQueryError' || 'params' in err || 'parameters' in err;
}

/** Masks what looks like an email address or a phone number inside free text (vendor error messages quote them). */
export function scrubText(text: string): string {
  return text
    .replace(/[^\s<>()"',;:]+@[^\s<>()"',;:]+\.[a-z]{2,}/gi, (m) => maskEmail(m))
    .replace(/\+\d[\d ().-]{5,}\d|\b\d{10,15}\b/g, (m) => maskPhone(m.replace(/[^\d+]/g, '')));
}

/** +14155550123 → +1415•••0123 */
export function maskPhone(phone: string | null | undefined): string {
  if (!phone) return '';
  if (phone.length <= 6) return '•••';
  return `${phone.slice(0, 5)}•••${phone.slice(-4)}`;
}

/** jane.doe@example.org → j•••@example.org */
export function maskEmail(email: string | null | undefined): string {
  if (!email) return '';
  const at = email.lastIndexOf('@');
  if (at < 1) return '•••';
  return `${email[0]}•••${email.slice(at)}`;
}

/** Masks an address of any kind we handle (phone, email, Slack id stays as is: it is not PII on its own). */
export function maskAddress(address: string | null | undefined): string {
  if (!address) return '';
  if (address.includes('@')) return maskEmail(address);
  if (/^\+?\d{6,}$/.test(address)) return maskPhone(address);
  return address;
}
