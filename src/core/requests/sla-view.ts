import type { ConversationRow } from '../../db/schema.js';

// What the API and the desk show of a conversation's SLA (no I/O: imported by core/ports.ts).

/** The conversation's SLA as the API shows it. */
export function publicSla(c: ConversationRow) {
  return {
    firstResponseDueAt: c.firstResponseDueAt?.toISOString() ?? null,
    firstResponseAt: c.firstReplyAt?.toISOString() ?? null,
    nextResponseDueAt: c.nextResponseDueAt?.toISOString() ?? null,
    resolutionDueAt: c.resolutionDueAt?.toISOString() ?? null,
    breaches: c.slaBreaches.map((b) => ({ kind: b.kind, at: b.at, dueAt: b.dueAt })),
  };
}

/** The earliest due time still running (the desk's countdown badge and sort); null when none. */
export function nextDueAt(c: ConversationRow): Date | null {
  const running = [
    c.firstReplyAt ? null : c.firstResponseDueAt,
    c.nextResponseDueAt,
    c.status === 'pending' ? null : c.resolutionDueAt,
  ].filter((d): d is Date => d !== null);
  return running.length ? new Date(Math.min(...running.map((d) => d.getTime()))) : null;
}
