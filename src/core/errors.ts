/** Every failure a caller should see has one of these codes; http/ maps them to a status. */
export const ErrorStatus = {
  bad_request: 400,
  unauthorized: 401,
  /** Right password, and a second factor is needed: send `code` too. */
  mfa_required: 401,
  forbidden: 403,
  /** The role needs MFA and the agent has none yet: only enrolment is allowed. */
  mfa_enrolment_required: 403,
  /** The password was handed over (generated first admin, admin reset): only `PUT /api/me/password` is open. */
  password_change_required: 403,
  not_found: 404,
  conflict: 409,
  opted_out: 409,
  offer_expired: 409,
  at_capacity: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ErrorStatus;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ErrorStatus[code];
  }
}

/** Tells the caller when to try again (429, 503): the HTTP layer sends it as `Retry-After`. */
export const retryAfter = (code: 'too_many_requests' | 'unavailable', message: string, seconds: number) =>
  new AppError(code, message, { retryAfterSeconds: Math.max(1, Math.ceil(seconds)) });

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const forbidden = (why: string) => new AppError('forbidden', why);
export const conflict = (why: string) => new AppError('conflict', why);

/** A one-line reason from a zod error, naming the field: "MessageSid: expected string". */
export function zodReason(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid input';
  const at = issue.path.length ? `${issue.path.map(String).join('.')}: ` : '';
  return `${at}${issue.message}`;
}
