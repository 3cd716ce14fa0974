import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/web/api.js';
import { clearNotices, dismissNotice, notify, reportError, subscribeNotices, type Notice } from '../../src/web/notices.js';

function current() {
  let list: Notice[] = [];
  subscribeNotices((l) => (list = l))();
  return list;
}

afterEach(() => clearNotices());

describe('notices: errors the desk shows instead of swallowing', () => {
  it('a failed load becomes a notice naming what failed and why', () => {
    reportError('Could not load the queues')(new ApiError(503, 'unavailable', 'Postgres is not reachable'));
    expect(current().map((n) => n.message)).toEqual(['Could not load the queues: Postgres is not reachable']);
  });

  it('the same failure twice (a poll every 20 s) shows once', () => {
    const fail = reportError('Could not load the agents');
    fail(new Error('Cannot reach Switchboard. Check your connection.'));
    fail(new Error('Cannot reach Switchboard. Check your connection.'));
    expect(current()).toHaveLength(1);
  });

  it('an ended session (401) is left to the login screen', () => {
    reportError('Could not load the inbox')(new ApiError(401, 'unauthorized', 'token expired'));
    expect(current()).toEqual([]);
  });

  it('listeners hear every change and a notice can be dismissed', () => {
    const seen: number[] = [];
    const off = subscribeNotices((l) => seen.push(l.length));
    notify('one');
    notify('two');
    dismissNotice(current()[0].id);
    off();
    notify('three');
    expect(seen).toEqual([0, 1, 2, 1]);
  });
});
