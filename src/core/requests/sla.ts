import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { getQueue } from '../../db/queries/queues.js';
import { conversations, type ConversationRow, type QueueRow, type SlaKind, type SlaPolicy } from '../../db/schema.js';
import { addBusinessSeconds, businessSecondsBetween } from '../business-hours.js';
import { publishConversationChange } from '../conversations/publish.js';
import { rooms, type Deps } from '../ports.js';

export { ZSlaPolicy } from './sla-policy.js';

/** Warnings go out when this share of a target's (business) time is used. */
export const WARN_AT = 0.8;

type Clock = { dueAt: Date | null; warnAt: Date | null };
type Hours = QueueRow['businessHours'];

/** A target's due and warning times, starting at `start`, on the queue's business-hours clock. */
export function clock(hours: Hours, start: Date, seconds: number): Clock {
  return { dueAt: addBusinessSeconds(hours, start, seconds), warnAt: addBusinessSeconds(hours, start, seconds * WARN_AT) };
}

/** The clocks a new inbound conversation starts with: first response and resolution. */
export function openingClocks(queue: Pick<QueueRow, 'sla' | 'businessHours'> | undefined, at: Date) {
  if (!queue?.sla) return {};
  const first = clock(queue.businessHours, at, queue.sla.firstResponseSeconds);
  const resolution = clock(queue.businessHours, at, queue.sla.resolutionSeconds);
  return {
    firstResponseDueAt: first.dueAt,
    firstResponseWarnAt: first.warnAt,
    resolutionDueAt: resolution.dueAt,
    resolutionWarnAt: resolution.warnAt,
  };
}

/** A queue with this policy starts a next-response clock when an answered contact writes again. */
export function timesNextResponse(policy: SlaPolicy | null | undefined): policy is SlaPolicy & { nextResponseSeconds: number } {
  return Boolean(policy?.nextResponseSeconds);
}

/**
 * A contact wrote again in a conversation that was already answered: the next-response clock
 * starts (unless one is already running: the earliest unanswered message counts).
 */
export function nextResponseClock(policy: SlaPolicy | null, hours: Hours, c: ConversationRow, at: Date) {
  if (!timesNextResponse(policy) || !c.firstReplyAt || c.nextResponseDueAt) return {};
  const next = clock(hours, at, policy.nextResponseSeconds);
  return { nextResponseDueAt: next.dueAt, nextResponseWarnAt: next.warnAt };
}

/** An agent answered the contact: first and next response are met (the first-response due time stays, for the record). */
export const responded = () => ({ firstResponseWarnAt: null, nextResponseDueAt: null, nextResponseWarnAt: null });

/**
 * Leaving `pending`: time spent waiting on the contact does not count against resolution, so the
 * resolution clock moves on by the business time the conversation was pending.
 */
export function resumeResolution(
  hours: Hours,
  c: Pick<ConversationRow, 'pendingSince' | 'resolutionDueAt' | 'resolutionWarnAt'>,
  now: Date,
) {
  if (!c.pendingSince || !c.resolutionDueAt) return {};
  const paused = businessSecondsBetween(hours, c.pendingSince, now);
  if (paused <= 0) return {};
  return {
    resolutionDueAt: addBusinessSeconds(hours, c.resolutionDueAt, paused),
    resolutionWarnAt: c.resolutionWarnAt ? addBusinessSeconds(hours, c.resolutionWarnAt, paused) : null,
  };
}

/** `resumeResolution` for a conversation row, reading its queue's hours. */
export async function resumeResolutionOf(tx: DbOrTx, c: ConversationRow, now = new Date()) {
  if (!c.pendingSince || !c.resolutionDueAt) return {};
  const queue = await getQueue(tx, c.queueKey);
  return resumeResolution(queue?.businessHours ?? null, c, now);
}

type Col = { due: string; warn: string; extra: string };
/** Per kind: its columns, and when its clock is stopped although set. */
const KINDS: Record<SlaKind, Col> = {
  firstResponse: { due: 'first_response_due_at', warn: 'first_response_warn_at', extra: 'and c.first_reply_at is null' },
  nextResponse: { due: 'next_response_due_at', warn: 'next_response_warn_at', extra: '' },
  // Pending time does not count against resolution (the clock moves on when it leaves pending).
  resolution: { due: 'resolution_due_at', warn: 'resolution_warn_at', extra: "and c.status <> 'pending'" },
};
const OPEN = "('waiting', 'offered', 'assigned', 'pending', 'snoozed')";
const BATCH = 500;

type Alert = {
  conversation_id: string;
  number: number;
  queue_key: string;
  assignee_id: string | null;
  due_at: Date | string;
  at: Date | string;
};

/**
 * Warnings (80 % of the time used) and breaches whose time came. Each is inserted into
 * `sla_events` under its unique key (conversation, kind, level, due time) in the same statement
 * that finds it, so several workers (or a worker and a restart) alert exactly once per due time;
 * a breach is also copied onto the conversation. Pushed after commit to supervisors and the assignee.
 */
export async function runSlaAlerts(deps: Deps): Promise<{ warnings: number; breaches: number }> {
  const sent = await deps.db.transaction(async (tx) => {
    const out: { kind: SlaKind; level: 'warning' | 'breach'; alert: Alert }[] = [];
    for (const [kind, col] of Object.entries(KINDS) as [SlaKind, Col][]) {
      for (const level of ['breach', 'warning'] as const) {
        const time = sql.raw(level === 'breach' ? `c.${col.due} <= now()` : `c.${col.warn} <= now() and c.${col.due} > now()`);
        const rows = (await tx.execute(sql`
          with due as (
            select c.id, c.number, c.queue_key, c.assignee_id, c.${sql.raw(col.due)} as due_at from conversations c
            where c.status in ${sql.raw(OPEN)} and c.${sql.raw(col.warn)} <= now() and ${time} ${sql.raw(col.extra)}
              and not exists (select 1 from sla_events e where e.conversation_id = c.id and e.kind = ${kind}
                and e.level = ${level} and e.due_at = c.${sql.raw(col.due)})
            order by c.${sql.raw(col.warn)} limit ${BATCH}
          ), ins as (
            insert into sla_events (conversation_id, kind, level, due_at, queue_key, assignee_id)
            select id, ${kind}, ${level}, due_at, queue_key, assignee_id from due
            on conflict do nothing returning conversation_id, due_at, at
          )
          select ins.conversation_id, ins.due_at, ins.at, due.number, due.queue_key, due.assignee_id
          from ins join due on due.id = ins.conversation_id
        `)) as unknown as Alert[];
        for (const alert of rows) out.push({ kind, level, alert });
      }
    }
    const changed: ConversationRow[] = [];
    for (const { kind, alert } of out.filter((o) => o.level === 'breach')) {
      const entry = { kind, at: new Date(alert.at).toISOString(), dueAt: new Date(alert.due_at).toISOString() };
      const [row] = await tx
        .update(conversations)
        .set({ slaBreaches: sql`${conversations.slaBreaches} || ${JSON.stringify([entry])}::jsonb` })
        .where(eq(conversations.id, alert.conversation_id))
        .returning();
      if (row) changed.push(row);
    }
    return { out, changed };
  });
  for (const { kind, level, alert } of sent.out) {
    const to: string[] = [rooms.supervisors];
    if (alert.assignee_id) to.push(rooms.agent(alert.assignee_id));
    deps.realtime.publish(to, level === 'breach' ? 'sla.breached' : 'sla.warning', {
      conversationId: alert.conversation_id,
      number: alert.number,
      queue: alert.queue_key,
      kind,
      dueAt: new Date(alert.due_at).toISOString(),
    });
  }
  for (const c of sent.changed) publishConversationChange(deps, c);
  const breaches = sent.changed.length;
  if (sent.out.length) deps.log.info({ warnings: sent.out.length - breaches, breaches }, 'sla alerts sent');
  return { warnings: sent.out.length - breaches, breaches };
}

/** Wake the request timers at each of these times (the reconciler is the safety net). */
export async function armSlaTimers(deps: Deps, times: (Date | null | undefined)[]) {
  const now = Date.now();
  for (const t of new Set(times.filter((d): d is Date => !!d && d.getTime() > now).map((d) => d.getTime()))) {
    await deps.jobs.requestTimer(new Date(t));
  }
}
