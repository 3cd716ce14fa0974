import { and, desc, eq, sql } from 'drizzle-orm';
import { claimInboundEvent } from '../../db/queries/inbound-events.js';
import { retriedTransaction } from '../../db/retry.js';
import { reservations, type ConversationRow, type ReservationRow } from '../../db/schema.js';
import { markCallEnded, markOnCall } from '../agents/set-presence.js';
import { publishConversationChange } from '../conversations/publish.js';
import { dropCallSurvey, openCallSurveyInTx } from '../csat/call-survey.js';
import { rooms, type CallControl, type Deps } from '../ports.js';
import { cancelOfferInTx, lockLiveOffers, publishCanceled } from '../routing/reservations.js';
import { isFinalStatus, metaOf } from './call-meta.js';
import { holdCaller } from './hold-caller.js';
import { callConversationIds, findCallConversation, loadConversation, patchCall } from './queries.js';

export type CallStatus = {
  /** caller: an inbound caller's call · agent: an agent's softphone leg · outbound: the contact's leg of a call from the desk */
  leg: 'caller' | 'agent' | 'outbound';
  /** The conversation the status callback names (agent and outbound legs); else found by `callSid`. */
  conversationId?: string;
  agentId?: string;
  callSid: string;
  /** The vendor's call status (queued, ringing, in-progress, completed, busy, no-answer, failed, canceled). */
  status: string;
  durationSeconds?: number;
};

/** What to do with the vendor after the database says what happened. */
type FollowUp =
  | { kind: 'none' }
  | { kind: 'abandoned'; conversation: ConversationRow; canceled: ReservationRow | null }
  | { kind: 'ended'; conversation: ConversationRow; agentId: string | null }
  | { kind: 'agent-answered'; conversation: ConversationRow; agentId: string }
  | { kind: 'agent-missed'; conversation: ConversationRow; agentId: string }
  /** `survey`: the caller stays on the line for the post-call survey (core/csat/call-survey.ts) instead of being hung up. */
  | { kind: 'agent-left'; conversation: ConversationRow; agentId: string; hangupCaller: boolean; survey?: boolean };

const secondsSince = (iso: string | Date | undefined, now: Date) =>
  iso ? Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000)) : undefined;

/**
 * A call status callback. Each CallSid+CallStatus is handled once (a
 * redelivery changes nothing); the database change and the claim share a
 * transaction; calls to the vendor and pushes follow the commit. Without call
 * control (voice not configured) the database still follows the call.
 */
export async function handleCallStatus(deps: Deps, input: CallStatus): Promise<void> {
  const now = new Date();
  const follow = await retriedTransaction(deps, 'call status', async (tx): Promise<FollowUp> => {
    if (!(await claimInboundEvent(tx, `voice:status:${input.leg}`, `${input.callSid}:${input.status}`))) return { kind: 'none' };
    // A contact's leg ending withdraws a live offer: the accept's lock order, offer before conversation (reservations.ts).
    if (input.leg !== 'agent' && isFinalStatus(input.status)) {
      await lockLiveOffers(tx, input.conversationId ? [input.conversationId] : callConversationIds(tx, input.callSid));
    }
    const c = input.conversationId
      ? await loadConversation(tx, input.conversationId, { forUpdate: true })
      : await findCallConversation(tx, input.callSid, { forUpdate: true });
    if (!c) return { kind: 'none' };
    const meta = metaOf(c);

    if (input.leg === 'agent') {
      const agentId = input.agentId;
      if (!agentId) return { kind: 'none' };
      const current = c.status === 'assigned' && c.assigneeId === agentId;
      if (input.status === 'in-progress' || input.status === 'answered') {
        if (!current) return { kind: 'none' };
        const row = await patchCall(tx, c.id, {
          agentCallSid: input.callSid,
          bridgedAgentId: agentId,
          bridgedAt: now.toISOString(),
          answeredAt: meta.answeredAt ?? now.toISOString(),
        });
        return { kind: 'agent-answered', conversation: row!, agentId };
      }
      if (!isFinalStatus(input.status)) return { kind: 'none' };
      if (current && !meta.bridgedAt && meta.direction === 'outbound') {
        // The agent never picked up their own outbound call: end the contact's leg.
        const row = await patchCall(tx, c.id, { agentCallSid: null });
        return { kind: 'agent-left', conversation: row!, agentId, hangupCaller: true };
      }
      if (current && !meta.bridgedAt && input.status !== 'completed') {
        // Accepted, but the softphone never picked up: back to the queue, and
        // this agent is skipped for it for a while (as after a lapsed offer).
        const [accepted] = await tx
          .select()
          .from(reservations)
          .where(and(eq(reservations.conversationId, c.id), eq(reservations.agentId, agentId), eq(reservations.status, 'accepted')))
          .orderBy(desc(reservations.createdAt))
          .limit(1);
        if (accepted) {
          await tx
            .update(reservations)
            .set({ status: 'timeout', reason: 'agent did not answer the call', answeredAt: sql`now()` })
            .where(eq(reservations.id, accepted.id));
        }
        const row = await patchCall(
          tx,
          c.id,
          { agentCallSid: null, agentNoAnswer: (meta.agentNoAnswer ?? 0) + 1 },
          { status: 'waiting', assigneeId: null, acceptedAt: null },
        );
        return { kind: 'agent-missed', conversation: row!, agentId };
      }
      if (input.status !== 'completed') return { kind: 'none' };
      // The agent's leg ended after talking. Only the agent who holds the call
      // hanging up ends it for the caller (not one transferred away from it).
      // (Resolving the conversation during the call keeps the agent as assignee: it still counts.)
      const holdsCall = c.assigneeId === agentId && meta.bridgedAgentId === agentId && Boolean(meta.bridgedAt);
      if (!holdsCall) return { kind: 'agent-left', conversation: c, agentId, hangupCaller: false };
      const survey = await openCallSurveyInTx(tx, c, agentId);
      const row = await patchCall(tx, c.id, { bridgedAt: null, ...(survey ? { surveyStartedAt: now.toISOString() } : {}) });
      return { kind: 'agent-left', conversation: row!, agentId, hangupCaller: true, survey: Boolean(survey) };
    }

    // The caller's (or, outbound, the contact's) own call leg.
    if (!isFinalStatus(input.status)) return { kind: 'none' };
    if (meta.endedAt) return { kind: 'none' };
    const ended = { endedAt: now.toISOString(), callStatus: input.status, callDurationSeconds: input.durationSeconds };
    const waitingLive =
      (c.status === 'waiting' || c.status === 'offered') && ((meta.mode ?? 'call') === 'call' || Boolean(meta.recordingPending));
    const ringingAgent = c.status === 'assigned' && !meta.answeredAt && meta.direction !== 'outbound';
    if (waitingLive || ringingAgent) {
      const canceled = await cancelOfferInTx(tx, c.id, 'caller hung up');
      const row = await patchCall(
        tx,
        c.id,
        { ...ended, waitSeconds: secondsSince(c.queuedAt, now) },
        { status: 'abandoned', abandonedAt: now },
      );
      return { kind: 'abandoned', conversation: row!, canceled };
    }
    // After the post-call survey the talk ended when the agent left, and so did the agent's call.
    const talkEnd = meta.surveyStartedAt ? new Date(meta.surveyStartedAt) : now;
    const talkSeconds = meta.answeredAt ? secondsSince(meta.answeredAt, talkEnd) : undefined;
    const row = await patchCall(tx, c.id, { ...ended, talkSeconds, bridgedAt: null, onHold: false });
    const agentOnCall = c.status === 'assigned' && !meta.surveyStartedAt ? c.assigneeId : null;
    return { kind: 'ended', conversation: row!, agentId: agentOnCall };
  });
  await carryOut(deps, follow);
}

/**
 * Moves the caller to the survey. Twilio refuses to redirect a call that is no longer in progress
 * (error 21220: the caller hung up as the agent did): then no survey went out and none is counted.
 */
async function sendCallerToSurvey(deps: Deps, calls: CallControl, c: ConversationRow): Promise<boolean> {
  try {
    await calls.sendCallerToSurvey(c);
    deps.log.info({ conversationId: c.id }, 'caller sent to the phone survey');
    return true;
  } catch (err) {
    deps.log.info({ err, conversationId: c.id }, 'could not move the caller to the phone survey');
    await dropCallSurvey(deps.db, c.id);
    return false;
  }
}

async function carryOut(deps: Deps, follow: FollowUp): Promise<void> {
  const { calls, log } = deps;
  switch (follow.kind) {
    case 'none':
      return;
    case 'abandoned': {
      publishCanceled(deps, follow.canceled, 'caller hung up');
      publishConversationChange(deps, follow.conversation);
      log.info(
        { conversationId: follow.conversation.id, waitSeconds: metaOf(follow.conversation).waitSeconds },
        'caller hung up while waiting',
      );
      if (follow.conversation.assigneeId) await markCallEnded(deps, follow.conversation.assigneeId);
      const agentLeg = metaOf(follow.conversation).agentCallSid;
      if (calls && agentLeg) {
        // The agent's softphone may still be ringing for a caller who is gone.
        await calls.endCall(agentLeg, 'canceled').catch((err: Error) => log.debug({ err }, 'agent leg already ended'));
      }
      await deps.jobs.dispatch('caller hung up');
      return;
    }
    case 'ended': {
      publishConversationChange(deps, follow.conversation);
      const meta = metaOf(follow.conversation);
      if (calls && meta.direction === 'outbound' && meta.agentCallSid) {
        // The contact hung up (or never answered): release the agent's softphone leg too.
        await calls.endCall(meta.agentCallSid, 'completed').catch((err: Error) => log.debug({ err }, 'agent leg already ended'));
      }
      if (follow.agentId) await markCallEnded(deps, follow.agentId);
      return;
    }
    case 'agent-answered': {
      publishConversationChange(deps, follow.conversation);
      await markOnCall(deps, follow.agentId);
      // A caller held for a transfer is back on the line as soon as the new agent answers.
      if (calls && metaOf(follow.conversation).onHold) {
        await holdCaller(deps, calls, follow.conversation, false).catch((err: Error) =>
          log.warn({ err }, 'could not take the caller off hold'),
        );
      }
      return;
    }
    case 'agent-missed': {
      publishConversationChange(deps, follow.conversation, [rooms.agent(follow.agentId)]);
      const meta = metaOf(follow.conversation);
      if (calls && meta.callSid && !meta.endedAt) {
        // Inbound: the caller goes back to the hold loop. Outbound: nobody is there to call.
        const moved =
          meta.direction === 'outbound' ? calls.endCall(meta.callSid, 'completed') : calls.returnCallerToHoldLoop(follow.conversation);
        await moved.catch((err: Error) =>
          log.warn({ err, conversationId: follow.conversation.id }, 'could not move the caller back to the queue'),
        );
      }
      log.info({ conversationId: follow.conversation.id, agentId: follow.agentId }, 'agent did not answer; call offered again');
      await deps.jobs.dispatch('agent did not answer');
      return;
    }
    case 'agent-left': {
      // The agent hung up: the caller has nobody left to talk to, so the post-call survey or goodbye.
      const meta = metaOf(follow.conversation);
      if (calls && follow.hangupCaller && meta.callSid && !meta.endedAt) {
        const surveyed = follow.survey && (await sendCallerToSurvey(deps, calls, follow.conversation));
        if (!surveyed)
          await calls.endCall(meta.callSid, 'completed').catch((err: Error) => log.warn({ err }, 'could not end the caller leg'));
      } else if (follow.survey) {
        await dropCallSurvey(deps.db, follow.conversation.id);
      }
      await markCallEnded(deps, follow.agentId);
      return;
    }
  }
}
