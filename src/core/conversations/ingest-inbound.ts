import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { claimFindingSender, senderOpenConversationIds } from '../../db/queries/inbound-events.js';
import { findOrCreateContact, setOptOut } from '../../db/queries/contacts.js';
import { storeText } from '../../db/queries/store-text.js';
import {
  contacts,
  conversations,
  messages,
  OPEN_STATUSES,
  type ConversationRow,
  type CsatSurveyRow,
  type MessageRow,
  type QueueRow,
} from '../../db/schema.js';
import type { AdminSnapshot } from '../admin-cache.js';
import { IDENTITY_FOR_CHANNEL } from '../channel-identity.js';
import {
  flagRiskInTx,
  foundRisk,
  matchRisk,
  publishRiskFlag,
  readAdminTerms,
  surelyNoRisk,
  type RiskFlag,
  type RiskMatch,
} from '../crisis/flag-risk.js';
import { parseCsatAnswer } from '../csat/parse-answer.js';
import { publishCsatAnswer, takeSmsAnswerInTx } from '../csat/record-answer.js';
import { AppError } from '../errors.js';
import { attachStagedFiles } from '../files/file-store.js';
import { addIncidentNotice } from '../incidents/incident-notice.js';
import { checkIncidentsAfterInbound } from '../incidents/after-inbound.js';
import { afterContactMessage, onContactMessage, type ContactMessageEffects } from '../requests/on-contact-message.js';
import { openingClocks, timesNextResponse } from '../requests/sla.js';
import type { Deps } from '../ports.js';
import { callbackShift } from '../routing/policy.js';
import { lockLiveOffers } from '../routing/reservations.js';
import { publishConversationChange, publishMessage } from './publish.js';
import { DEFAULT_QUEUE_BY_CHANNEL, UNVERIFIED_SENDER_TAG, ZInboundMessage, type InboundMessage, type ParsedInbound } from './types.js';

export type IngestResult =
  | { duplicate: true }
  | {
      duplicate: false;
      conversation: ConversationRow | null;
      message: MessageRow | null;
      contactId: string;
      /** True when this message opened the conversation (so it needs routing). */
      opened: boolean;
      /** What the request lifecycle did (reopened from pending/snoozed, auto-reply queued). */
      requests?: ContactMessageEffects;
      /** The message answered a satisfaction survey: stored on the surveyed conversation, which stays resolved. */
      csatAnswer?: CsatSurveyRow;
    };

/**
 * Every inbound contact enters here: the delivery is claimed (redelivery is a
 * no-op), the contact found or created, the open conversation found or opened
 * in the right queue, and the message stored — atomically (a plain text in one
 * statement, anything else in one transaction), so the webhook is only answered
 * once the contact is durable. Routing and pushes follow after the commit; if
 * they are lost, the reconciler re-drives them.
 */
export async function ingestInbound(deps: Deps, input: InboundMessage): Promise<IngestResult> {
  const msg = ZInboundMessage.parse(input);
  // Matched once, before any statement: a text that matches no crisis phrase may skip the
  // transaction, or needs no savepoint in it; one that matches is flagged with this answer.
  const crisis = msg.control ? undefined : matchRisk(contactText(msg), await readAdminTerms(deps.adminCache));
  // Taken before the transaction: see AdminSnapshot.
  const admin = await deps.adminCache.snapshot();
  const plain = await storePlainText(deps, msg, admin, crisis);
  const { stored, risk } = plain ?? (await storeInTransaction(deps, msg, admin, crisis));
  // A crisis moves the conversation (queue, priority): everything below speaks of it as it is now.
  const result: IngestResult = risk && !stored.duplicate ? { ...stored, conversation: risk.conversation } : stored;
  if (!result.duplicate) {
    if (result.message && result.conversation) publishMessage(deps, result.conversation, result.message);
    if (result.opened && result.conversation) {
      publishConversationChange(deps, result.conversation);
      // Not awaited: the contact is stored, and the webhook's answer need not wait on Redis. A trigger
      // lost with this process is re-driven by the reconciler (docs/routing.md); enqueue never throws.
      void deps.jobs.dispatch('contact arrived');
    }
    if (result.requests) await afterContactMessage(deps, result.requests);
    deps.log.info(
      {
        channel: msg.channel,
        conversationId: result.conversation?.id,
        messageId: result.message?.id,
        opened: result.opened,
        control: msg.control,
        oneStatement: Boolean(plain),
      },
      'inbound stored',
    );
    if (result.csatAnswer) await publishCsatAnswer(deps, result.csatAnswer);
    if (risk) await publishRiskFlag(deps, risk);
    if (result.conversation && result.message && !msg.control && !result.csatAnswer) {
      // Off the webhook's path, coalesced with other texts' (after-inbound.ts).
      void checkIncidentsAfterInbound(deps, { conversation: result.conversation, messageId: result.message.id, text: contactText(msg) });
    }
  }
  return result;
}

/**
 * Everything uncommon, in one transaction: the claim, the contact, the conversation and the
 * message, then the staged files, the crisis check (it flags in the same transaction) and the
 * open incidents' notice. A text that matched a crisis phrase first locks the live offer of the
 * conversation it will join: its check may withdraw that offer after the message has locked the
 * conversation, the reverse of an accept's order (reservations.ts), and Postgres would abort one
 * of the two, losing the flag when it is the check.
 */
async function storeInTransaction(
  deps: Deps,
  msg: ParsedInbound,
  admin: AdminSnapshot,
  crisis: RiskMatch | undefined,
): Promise<{ stored: IngestResult; risk: RiskFlag | null }> {
  return deps.db.transaction(async (tx) => {
    // An unverified sender never joins an existing conversation: no offer of theirs to withdraw.
    if (foundRisk(crisis) && !msg.unverifiedSender) {
      await lockLiveOffers(tx, senderOpenConversationIds(tx, msg.from, msg, msg.conversationId));
    }
    const stored = await ingestInTx(tx, msg, admin);
    if (!stored.duplicate && stored.message) await attachStagedFiles(tx, msg.stagedFileIds, stored.message.id);
    const risk = await checkForCrisis(deps, tx, msg, stored, crisis);
    await noticeOpenIncidents(tx, admin, stored, risk);
    return { stored, risk };
  });
}

/**
 * The common case in one statement, without a transaction (store-text.ts; issue #15: a surge of
 * texts from new numbers): a text that is no keyword, no possible survey answer, has no files, a
 * verified sender, and surely no crisis phrase, decided here in memory before any statement.
 * The statement itself declines (writes nothing) when the sender's open conversation needs the
 * request lifecycle, when opening one needs an auto-reply or an incident notice, or when a
 * concurrent text made the contact or the conversation first: then `null`, and the transaction
 * does it all.
 */
async function storePlainText(
  deps: Deps,
  msg: ParsedInbound,
  admin: AdminSnapshot,
  crisis: RiskMatch | undefined,
): Promise<{ stored: IngestResult; risk: null } | null> {
  const plain =
    msg.channel !== 'voice' &&
    !msg.control &&
    !msg.unverifiedSender &&
    !msg.conversationId &&
    !msg.queue &&
    !msg.contactLanguage &&
    msg.alsoKnownAs.length === 0 &&
    msg.stagedFileIds.length === 0 &&
    !(isSurveyAnswerCandidate(msg) && parseCsatAnswer(msg.body) !== null) &&
    surelyNoRisk(crisis);
  if (!plain) return null;
  const queueKey = resolveQueue(admin, msg);
  const queue = admin.queue(queueKey);
  const createdAt = new Date();
  const clocks = openingClocks(queue, createdAt);
  const text = await storeText(deps.db, {
    source: claimSource(msg),
    externalId: msg.externalId,
    from: msg.from,
    open: newConversation(msg, queueKey, queue),
    clocks: { at: createdAt, ...clocks },
    // What onContactMessage and noticeOpenIncidents would add to a new conversation.
    mayOpen: !queue?.autoReply && admin.openIncidentsFor([queueKey]).length === 0,
    nextResponseQueues: admin
      .queues()
      .filter((q) => timesNextResponse(q.sla))
      .map((q) => q.key),
    message: newMessage(msg),
  });
  if (text.stored === 'declined') return null;
  if (text.stored === 'duplicate') return { stored: { duplicate: true }, risk: null };
  const { conversation, message, opened, contactId } = text;
  const requests = { conversation, changed: false, rerouted: false, systemMessages: [], wakeAt: opened ? Object.values(clocks) : [] };
  return { stored: { duplicate: false, conversation, message, contactId, opened, requests }, risk: null };
}

/** The claim's source: a delivery's id is unique per channel. */
const claimSource = (msg: ParsedInbound) => `${msg.channel}:message`;

/** A conversation this message opens, as either way of storing it writes it. */
function newConversation(msg: ParsedInbound, queueKey: string, queue: QueueRow | undefined) {
  return {
    channel: msg.channel,
    queueKey,
    priority: (queue?.priority ?? 0) + msg.priorityBoost + (msg.callback ? callbackShift(queue?.callbackOrder) : 0),
    inboxAddress: msg.inboxAddress,
    threadKey: msg.unverifiedSender ? `unverified:${msg.externalId}` : msg.threadKey,
    subject: msg.subject ?? null,
    metadata: { ...(msg.conversationMetadata ?? msg.metadata), ...(msg.unverifiedSender ? { unverifiedSender: true } : {}) },
    tags: msg.unverifiedSender ? [UNVERIFIED_SENDER_TAG] : [],
  };
}

/** The contact's message, as either way of storing it writes it. */
function newMessage(msg: ParsedInbound) {
  return {
    channel: msg.channel,
    direction: 'inbound' as const,
    body: msg.body,
    externalId: msg.externalId,
    status: 'received',
    media: msg.media,
    metadata: { ...msg.metadata, ...(msg.subject ? { subject: msg.subject } : {}), ...(msg.control ? { control: msg.control } : {}) },
  };
}

/** What the contact wrote: a call's body is our own description ("Call from the crisis line"), what the caller said is `heard`. */
function contactText(msg: ParsedInbound): string {
  if (msg.channel === 'voice') return typeof msg.metadata.heard === 'string' ? msg.metadata.heard : '';
  // The subject is a sentence of its own: "Re: I can't go on" + a body that says nothing more.
  return [msg.subject, msg.body].filter(Boolean).join('\n\n');
}

/** A new text conversation while an incident concerning its queue is open: the incident's public message is its auto-reply. */
async function noticeOpenIncidents(tx: Tx, admin: AdminSnapshot, stored: IngestResult, risk: RiskFlag | null): Promise<void> {
  if (stored.duplicate || !stored.opened || !stored.conversation || !stored.requests) return;
  stored.requests.systemMessages = await addIncidentNotice(
    tx,
    admin,
    risk?.conversation ?? stored.conversation,
    stored.requests.systemMessages,
  );
}

/** Every text a contact writes is checked for a crisis, in the same transaction; machine mail and SMS keywords are not. */
async function checkForCrisis(
  deps: Deps,
  tx: Tx,
  msg: ParsedInbound,
  stored: IngestResult,
  crisis: RiskMatch | undefined,
): Promise<RiskFlag | null> {
  if (stored.duplicate || !stored.conversation || !stored.message || msg.control || stored.csatAnswer) return null;
  return flagRiskInTx(deps, tx, { conversation: stored.conversation, message: stored.message, text: contactText(msg) }, crisis);
}

async function ingestInTx(tx: Tx, msg: ParsedInbound, admin: AdminSnapshot): Promise<IngestResult> {
  // The claim, the sender's identity and their open conversation on this thread in one round trip.
  const claimed = await claimFindingSender(tx, claimSource(msg), msg.externalId, msg.from, msg);
  if (!claimed) return { duplicate: true };

  const { contactId, identity, created } = await findOrCreateContact(tx, msg.from, {
    found: claimed,
    name: msg.from.name,
    // A forged sender must not attach more addresses to someone's contact.
    alsoKnownAs: msg.unverifiedSender ? [] : msg.alsoKnownAs,
  });
  // The contact's latest own choice wins over what an agent set (they told us on the phone).
  if (msg.contactLanguage) {
    await tx
      .update(contacts)
      .set({ language: msg.contactLanguage })
      .where(and(eq(contacts.id, contactId), sql`${contacts.language} is distinct from ${msg.contactLanguage}`));
  }
  if (msg.control === 'opt-out' || msg.control === 'opt-in') {
    await setOptOut(tx, msg.from.kind, msg.from.value, msg.control === 'opt-out');
  }

  // An unverified sender (a mail failing DMARC) is anyone writing in the contact's name: it never
  // joins their open conversation or thread, but opens one of its own, flagged for the agent.
  // A contact created just now has no conversation and no survey yet: nothing to look up. A known
  // sender's open conversation came with the claim, unless the adapter names one (email threading).
  let conversation =
    msg.unverifiedSender || created
      ? undefined
      : claimed.identity && !msg.conversationId
        ? claimed.open
        : await findOpenConversation(tx, contactId, msg);
  if (!conversation && !created && isSurveyAnswerCandidate(msg)) {
    const answered = await takeSmsAnswerInTx(tx, identity.id, msg.body);
    if (answered) return storeSurveyAnswer(tx, msg, answered, contactId);
  }
  let opened = false;
  let queue: QueueRow | undefined;
  if (!conversation && !msg.control) {
    const queueKey = resolveQueue(admin, msg);
    queue = admin.queue(queueKey);
    const inserted = await tx
      .insert(conversations)
      .values({ contactId, contactIdentityId: identity.id, ...newConversation(msg, queueKey, queue) })
      // A concurrent first message from the same contact opened it already: join that one.
      .onConflictDoNothing()
      .returning();
    conversation = inserted[0] ?? (msg.unverifiedSender ? undefined : await findOpenConversation(tx, contactId, msg));
    opened = inserted.length === 1;
  }
  if (!conversation) return { duplicate: false, conversation: null, message: null, contactId, opened: false };

  // A later message moves the conversation's last-message time in the same statement that stores it.
  const touched = tx
    .$with('touched', { id: sql<string>`id`.as('id') })
    .as(sql`update ${conversations} set last_message_at = now() where id = ${conversation.id} returning id`);
  const [message] = await (opened ? tx : tx.with(touched))
    .insert(messages)
    .values({ conversationId: conversation.id, ...newMessage(msg) })
    .returning();
  const requests = await onContactMessage(tx, {
    conversation,
    message,
    opened,
    control: msg.control,
    // The cached row: as current as a read here (admin-cache.ts), without the round trip.
    ...(msg.control ? {} : { queue: (opened ? queue : admin.queue(conversation.queueKey)) ?? null }),
  });
  return { duplicate: false, conversation: requests.conversation, message: message, contactId, opened, requests };
}

/**
 * Only a plain SMS can answer the survey's "reply 1 to 5" (a picture or a keyword cannot), and only
 * when the contact has no open conversation: then a "3" is more likely an answer to the agent.
 */
function isSurveyAnswerCandidate(msg: ParsedInbound): boolean {
  return msg.channel === 'sms' && !msg.control && !msg.unverifiedSender && msg.media.length === 0;
}

/** The survey answer joins the surveyed conversation's history without reopening it or touching its clocks. */
async function storeSurveyAnswer(tx: Tx, msg: ParsedInbound, survey: CsatSurveyRow, contactId: string): Promise<IngestResult> {
  const [conversation] = await tx.select().from(conversations).where(eq(conversations.id, survey.conversationId));
  const [message] = await tx
    .insert(messages)
    .values({
      conversationId: survey.conversationId,
      channel: msg.channel,
      direction: 'inbound',
      body: msg.body,
      externalId: msg.externalId,
      status: 'received',
      metadata: { ...msg.metadata, csat: { score: survey.score } },
    })
    .returning();
  return { duplicate: false, conversation, message, contactId, opened: false, csatAnswer: survey };
}

/**
 * The open conversation this message belongs to: the one the adapter named
 * (verified email threading) while it is still open, else the contact's open
 * conversation on the same channel and thread.
 */
async function findOpenConversation(tx: Tx, contactId: string, msg: ParsedInbound) {
  const open = inArray(conversations.status, [...OPEN_STATUSES]);
  if (msg.conversationId) {
    const [named] = await tx
      .select()
      .from(conversations)
      .where(and(eq(conversations.id, msg.conversationId), eq(conversations.contactId, contactId), open));
    if (named) return named;
  }
  const [row] = await tx
    .select()
    .from(conversations)
    .where(
      and(eq(conversations.contactId, contactId), eq(conversations.channel, msg.channel), eq(conversations.threadKey, msg.threadKey), open),
    )
    .limit(1);
  return row;
}

/** Precedence: the IVR's choice, then an admin's inbox mapping, then the adapter's hint, then the channel default. */
function resolveQueue(admin: AdminSnapshot, msg: ParsedInbound): string {
  if (msg.queue) {
    if (admin.queue(msg.queue)) return msg.queue;
    throw new AppError('bad_request', `unknown queue ${msg.queue}`);
  }
  const inbox = admin.inbox(IDENTITY_FOR_CHANNEL[msg.channel], msg.inboxAddress);
  if (inbox) return inbox.queueKey;
  if (msg.queueHint && admin.queue(msg.queueHint)) return msg.queueHint;
  return DEFAULT_QUEUE_BY_CHANNEL[msg.channel];
}
