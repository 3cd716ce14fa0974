import type { TFunction } from 'i18next';
import { E164_HINT } from '../../../core/patterns.js';

/** The parts of a zod issue the admin forms read (zod 4's `$ZodIssue`, loosely). */
export type FormIssue = {
  code: string;
  path: PropertyKey[];
  message: string;
  origin?: string;
  minimum?: number | bigint;
  maximum?: number | bigint;
  expected?: string;
  format?: string;
  errors?: FormIssue[][];
};

/**
 * The English messages our shared schemas (and the API's refusals that name a field) carry, each
 * with its sentence in the desk's catalogue. The schemas keep English for API clients; the desk
 * shows the agent's language. A message missing here falls back to `admin.errors.invalid`
 * (`test/web/form-errors.test.ts` runs every rule of the admin schemas to catch one forgotten).
 */
const KNOWN: Record<string, string> = {
  'lower-case letters, digits, _ and -, at most 40': 'admin.errors.queueKey',
  'code: lower-case letters, digits, _ . and -, at most 64': 'admin.errors.dispositionCode',
  'title: required': 'admin.errors.required',
  'body: required': 'admin.errors.required',
  'label: required': 'admin.errors.required',
  'must be an email address': 'admin.errors.email',
  'password must be at least 8 characters': 'admin.errors.password',
  [E164_HINT]: 'admin.errors.e164',
  'must be HH:MM': 'admin.errors.time',
  'must be an IANA time zone': 'admin.errors.timezone',
  'from must be before to': 'admin.errors.fromBeforeTo',
  'must be YYYY-MM-DD': 'admin.errors.date',
  'a step must do something: addQueues, raisePriority or notifySupervisors': 'admin.errors.emptyStep',
  'a lower-case letter first, then lower-case letters, digits, _ and -, at most 40': 'admin.errors.criterionKey',
  'criteria keys must be unique': 'admin.errors.uniqueCriterionKeys',
};

/** A union's issue says only "invalid input": take the most telling issue of its branches instead. */
function innermost(issue: FormIssue): FormIssue {
  if (issue.code !== 'invalid_union' || !issue.errors?.length) return issue;
  const inner = issue.errors.flat().find((i) => i.code !== 'invalid_type') ?? issue.errors.flat()[0];
  return inner ? innermost({ ...inner, path: [...issue.path, ...inner.path] }) : issue;
}

/** One issue as a sentence in the desk's language: by the rule that failed, or by the schema's own message. */
export function issueText(issue: FormIssue, t: TFunction): string {
  const known = KNOWN[issue.message];
  if (known) return t(known);
  const n = Number(issue.minimum ?? issue.maximum);
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return n <= 1 ? t('admin.errors.required') : t('admin.errors.minLength', { count: n });
      if (issue.origin === 'array') return t('admin.errors.minItems', { count: n });
      return t('admin.errors.min', { min: n });
    case 'too_big':
      if (issue.origin === 'string') return t('admin.errors.maxLength', { count: n });
      if (issue.origin === 'array') return t('admin.errors.maxItems', { count: n });
      return t('admin.errors.max', { max: n });
    case 'invalid_type':
      if (issue.expected === 'number' || issue.expected === 'int') return t('admin.errors.number');
      return t('admin.errors.required');
    case 'invalid_format':
      return issue.format === 'email' ? t('admin.errors.email') : t('admin.errors.format');
    case 'invalid_value':
      return t('admin.errors.choice');
    case 'unrecognized_keys':
      return t('admin.errors.unknownField');
    default:
      return t('admin.errors.invalid');
  }
}

/** Field path (`sla.firstResponseSeconds`) → the first message about it, in the desk's language. */
export function fieldErrors(issues: readonly FormIssue[], t: TFunction): Record<string, string> {
  const found: Record<string, string> = {};
  for (const raw of issues) {
    const issue = innermost(raw);
    found[issue.path.map(String).join('.')] ??= issueText(issue, t);
  }
  return found;
}

/**
 * The API names a refused field as `path: message` (src/core/errors.ts `zodReason`, and checks such
 * as `escalation: unknown queue x`). A message the catalogue knows is translated; any other stays
 * the server's own words, which say what only the server knows.
 */
export function serverFieldError(message: string, t: TFunction): { path: string; text: string } | null {
  const at = /^([\w.]+): (.+)$/.exec(message);
  if (!at) return null;
  const known = KNOWN[message] ?? KNOWN[at[2]];
  return { path: at[1], text: known ? t(known) : at[2] };
}
