import type { TFunction } from 'i18next';
import { ApiError } from './api.js';

/** A server refusal as a sentence in the desk's language; other errors keep the server's text, sentence-cased. */
export function readableError(err: unknown, t: TFunction): string {
  if (err instanceof ApiError && err.status === 403) return t('conversation.errors.forbidden');
  const text = (err as Error).message || t('conversation.errors.unknown');
  const sentence = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}
