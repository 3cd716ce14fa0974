import { ApiError } from './api.js';
import { i18next } from './i18n.js';

/**
 * Errors the agent should see, from anywhere in the desk (components, hooks,
 * the softphone): `notify(message)` or `.catch(reportError('Could not …'))`.
 * `<Notices />` shows them. The same message twice shows once.
 */
export type Notice = { id: number; message: string; at: number };

let notices: Notice[] = [];
let nextId = 1;
const listeners = new Set<(list: Notice[]) => void>();
const publish = () => listeners.forEach((fn) => fn(notices));

export function notify(message: string) {
  const same = notices.find((n) => n.message === message);
  notices = [...notices.filter((n) => n !== same), { id: same?.id ?? nextId++, message, at: Date.now() }].slice(-5);
  publish();
}

export function dismissNotice(id: number) {
  notices = notices.filter((n) => n.id !== id);
  publish();
}

export function clearNotices() {
  notices = [];
  publish();
}

export function subscribeNotices(fn: (list: Notice[]) => void): () => void {
  listeners.add(fn);
  fn(notices);
  return () => void listeners.delete(fn);
}

/**
 * A rejection handler that tells the agent what failed: `Could not load the queues: <reason>`.
 * A 401 is left out: the session ended and the login screen says so.
 */
export const reportError =
  (what: string) =>
  (err: unknown): void => {
    if (err instanceof ApiError && err.status === 401) return;
    notify(`${what}: ${err instanceof Error && err.message ? err.message : i18next.t('errors.unknown')}`);
  };
