/** Every failure a caller should see has one of these codes; http/ maps them to a status. */
export const ErrorStatus = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  opted_out: 409,
  offer_expired: 409,
  at_capacity: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
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
