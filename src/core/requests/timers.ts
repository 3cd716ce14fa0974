import { eq, sql } from 'drizzle-orm';
import { contacts, conversations, type ConversationRow, type MessageRow } from '../../db/schema.js';
import { contactText } from '../contact-texts.js';
import { publishConversationChange } from '../conversations/publish.js';
import { dispatchSystemMessage, queueSystemMessage } from '../conversations/send-system-message.js';
import type { Deps } from '../ports.js';
import { leavePending } from './pending-time.js';
import { returnToAssignee, type Returned } from './return-to-assignee.js';
import { runSlaAlerts } from './sla.js';

/** Conversations handled per kind per sweep; the next sweep (the reconciler's, a few seconds later) carries on. */
const BATCH = 200;

export type RequestTimersResult = { snoozesEnded: number; autoResolved: number; slaWarnings: number; slaBreaches: number };

/**
 * Everything in the request lifecycle that happens because time passed: snoozes ending,
 * pending conversations going stale, SLA warnings and breaches. Woken by a delayed job at the due second and run by the
 * reconciler on every tick; the rows are claimed `for update skip locked` and changed by
 * conditional UPDATEs, so two workers (or a job and the reconciler) never act on one twice.
 */
export async function runRequestTimers(deps: Deps): Promise<RequestTimersResult> {
  const snoozesEnded = await endSnoozes(deps);
  const autoResolved = await autoResolveStalePending(deps);
  const sla = await runSlaAlerts(deps);
  return { snoozesEnded, autoResolved, slaWarnings: sla.warnings, slaBreaches: sla.breaches };
}

/** Snoozes whose time came: back to their agent (or their queue, when the agent is gone). */
async function endSnoozes(deps: Deps): Promise<number> {
  const back = await deps.db.transaction(async (tx) => {
    const due = await tx
      .select()
      .from(conversations)
      .where(sql`${conversations.status} = 'snoozed' and ${conversations.snoozedUntil} <= now()`)
      .orderBy(conversations.snoozedUntil)
      .limit(BATCH)
      .for('update', { skipLocked: true });
    const out: Returned[] = [];
    for (const c of due) {
      const r = await returnToAssignee(tx, c);
      if (r) out.push(r);
    }
    return out;
  });
  for (const r of back) publishConversationChange(deps, r.conversation);
  if (back.some((r) => r.rerouted)) await deps.jobs.dispatch('snooze ended');
  if (back.length) deps.log.info({ conversations: back.length }, 'snoozes ended');
  return back.length;
}

/**
 * Pending conversations the contact left unanswered longer than their queue allows (default
 * 7 days) are resolved, with a last message telling the contact (in their language) how to come back.
 */
async function autoResolveStalePending(deps: Deps): Promise<number> {
  const done = await deps.db.transaction(async (tx) => {
    const stale = (await tx.execute(sql`
      select c.id, q.auto_resolve_pending_seconds as after from conversations c
      join queues q on q.key = c.queue_key
      where c.status = 'pending' and q.auto_resolve_pending_seconds is not null
        and c.pending_since <= now() - make_interval(secs => q.auto_resolve_pending_seconds)
        -- A person closes a risk-flagged conversation, with a note (docs/crisis.md).
        and c.risk is null
      order by c.pending_since
      limit ${BATCH}
      for update of c skip locked
    `)) as unknown as { id: string; after: number }[];
    const out: { conversation: ConversationRow; message: MessageRow | null }[] = [];
    for (const s of stale) {
      const days = Math.round((s.after / 86400) * 10) / 10;
      const [resolved] = await tx
        .update(conversations)
        .set({
          status: 'resolved',
          resolvedAt: sql`now()`,
          wrapUpNote: `Resolved automatically: no reply from the contact in ${days} day${days === 1 ? '' : 's'}`,
          metadata: sql`${conversations.metadata} || '{"autoResolved": true}'::jsonb`,
          ...leavePending(),
        })
        .where(sql`${conversations.id} = ${s.id} and ${conversations.status} = 'pending'`)
        .returning();
      if (!resolved) continue;
      const [contact] = await tx.select({ language: contacts.language }).from(contacts).where(eq(contacts.id, resolved.contactId));
      const message = await queueSystemMessage(tx, resolved, {
        kind: 'notice',
        body: contactText('pending.auto-resolved', contact?.language, { number: resolved.number }),
        metadata: { reason: 'auto-resolved' },
      });
      out.push({ conversation: resolved, message });
    }
    return out;
  });
  for (const d of done) {
    publishConversationChange(deps, d.conversation);
    if (d.message) await dispatchSystemMessage(deps, d.conversation, d.message);
  }
  if (done.length) deps.log.info({ conversations: done.length }, 'stale pending conversations resolved');
  return done.length;
}
