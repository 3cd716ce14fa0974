import { eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import type { AdminCache } from '../admin-cache.js';
import { getQueue } from '../../db/queries/queues.js';
import {
  contacts,
  conversations,
  type ConversationRisk,
  type ConversationRow,
  type Language,
  type MessageRow,
  type ReservationRow,
} from '../../db/schema.js';
import { dispatchSystemMessage, queueSystemMessage } from '../conversations/send-system-message.js';
import { publishConversationChange } from '../conversations/publish.js';
import { rooms, type Deps } from '../ports.js';
import { cancelOfferInTx, publishCanceled } from '../routing/reservations.js';
import { rulesWith, type AdminTerm } from './built-in-rules.js';
import { loadAdminTerms, loadCrisisSettings, resourcesText } from './crisis-settings.js';
import { detectRisk, type Risk, type RiskLevel } from './matcher.js';

/** The queue risk-flagged work moves to. */
export const CRISIS_QUEUE = 'crisis';
/** Added to the crisis queue's priority: flagged texts go before every other contact, high before medium. */
export const RISK_PRIORITY_BOOST: Record<RiskLevel, number> = { high: 1000, medium: 500 };
/** A conversation keeps at most this many reasons (the first ones and the newest). */
const MAX_REASONS = 20;

/** What changed, for the caller to publish once the transaction commits (`publishRiskFlag`). */
export type RiskFlag = {
  conversation: ConversationRow;
  risk: ConversationRisk;
  /** Worth telling supervisors: a first detection, a higher level or new reasons. */
  news: boolean;
  /** The queue it left (moved to crisis), for that queue's agents to drop it. */
  movedFrom: string | null;
  canceledOffer: ReservationRow | null;
  resourcesMessage: MessageRow | null;
};

export type InboundText = {
  conversation: ConversationRow;
  message: MessageRow;
  /** Everything the contact wrote in this message: body, a mail's subject, a transcript. */
  text: string;
};

/**
 * Checks one inbound text inside the transaction that stores it. On a hit: the conversation
 * gets its `risk`, moves to the crisis queue at top priority unless an agent already has it,
 * and — for self-harm and emergencies — the crisis-resources text is queued once.
 *
 * Never fails the ingest: everything runs under a savepoint, and any error (the matcher's or
 * the database's) is logged, counted and swallowed, leaving the message stored as it was.
 */
export async function flagRiskInTx(
  deps: Pick<Deps, 'log' | 'metrics'>,
  tx: Tx,
  input: InboundText,
  /** The matcher's answer for `input.text`, found before the transaction (`matchRisk`); without it the text is matched here. */
  matched?: RiskMatch,
): Promise<RiskFlag | null> {
  if (!input.text.trim()) return null;
  try {
    if (matched) {
      if ('error' in matched) throw matched.error;
      const { risk } = matched;
      // The savepoint only for a text that matched: most texts cost no statement here.
      return risk ? await tx.transaction((sp) => applyRisk(sp, input.conversation.id, risk)) : null;
    }
    return await tx.transaction(async (sp) => {
      const rules = rulesWith(await loadAdminTerms(sp));
      const risk = detectRisk(input.text, rules);
      if (!risk) return null;
      return await applyRisk(sp, input.conversation.id, risk);
    });
  } catch (err) {
    deps.metrics?.crisisMatcherErrors.inc();
    deps.log.error(
      { err, conversationId: input.conversation.id, messageId: input.message.id },
      'crisis check failed; the message is stored unflagged',
    );
    return null;
  }
}

/**
 * The matcher's answer for a text, or why there is none (the phrases could not be read, the
 * matcher failed: `flagRiskInTx` then logs and counts it). Found before the ingest transaction,
 * once: it decides whether the text may skip the transaction (`surelyNoRisk`), and the
 * transaction's check flags what it found.
 */
export type RiskMatch = { risk: Risk | null } | { error: unknown };

export function matchRisk(text: string, read: AdminTermsRead): RiskMatch {
  if (!text.trim()) return { risk: null };
  if ('error' in read) return read;
  try {
    return { risk: detectRisk(text, rulesWith(read.terms)) };
  } catch (error) {
    return { error };
  }
}

/**
 * This text surely needs no flag, so it may be stored without the crisis check's transaction
 * (ingest-inbound.ts). Anything uncertain (no answer, an error) is not "surely".
 */
export function surelyNoRisk(match: RiskMatch | undefined): boolean {
  return match !== undefined && 'risk' in match && match.risk === null;
}

/**
 * This text matched a crisis phrase: its check will move the conversation and may withdraw its
 * live offer, so the transaction storing it locks that offer first (lockLiveOffers, reservations.ts).
 */
export function foundRisk(match: RiskMatch | undefined): boolean {
  return match !== undefined && 'risk' in match && match.risk !== null;
}

/** The admin's phrases, or why they could not be read (the check then fails as a whole, logged and counted). */
export type AdminTermsRead = { terms: AdminTerm[] } | { error: unknown };

/**
 * Reads the admin's phrases before an ingest transaction opens, from this process' copy
 * (admin-cache.ts), so a text that matches nothing needs no savepoint and no statement: measured
 * in a surge, the savepoint, the read and its release were three of a webhook's round trips
 * (docs/routing.md, "Throughput").
 */
export async function readAdminTerms(admin: Pick<AdminCache, 'crisisTerms'>): Promise<AdminTermsRead> {
  try {
    return { terms: await admin.crisisTerms() };
  } catch (error) {
    return { error };
  }
}

async function applyRisk(tx: Tx, conversationId: string, found: Risk): Promise<RiskFlag | null> {
  const [current] = await tx.select().from(conversations).where(eq(conversations.id, conversationId)).for('update');
  if (!current) return null;
  const now = new Date().toISOString();
  const before = current.risk;
  const risk: ConversationRisk = before
    ? {
        level: before.level === 'high' || found.level === 'high' ? 'high' : 'medium',
        categories: [...new Set([...before.categories, ...found.categories])],
        reasons: mergeReasons(before.reasons, found.reasons),
        detectedAt: before.detectedAt,
        lastDetectedAt: now,
      }
    : {
        level: found.level,
        categories: found.categories,
        reasons: found.reasons.slice(0, MAX_REASONS),
        detectedAt: now,
        lastDetectedAt: now,
      };
  const news = !before || risk.level !== before.level || risk.reasons.length !== before.reasons.length;

  // Nobody has it yet: to the crisis queue, ahead of everyone. An agent who has it keeps it (and is alerted).
  const unowned = (current.status === 'waiting' || current.status === 'offered') && !current.assigneeId;
  const crisisQueue = unowned ? await getQueue(tx, CRISIS_QUEUE) : undefined;
  const priority = Math.max(current.priority, (crisisQueue?.priority ?? current.priority) + RISK_PRIORITY_BOOST[risk.level]);
  const move = unowned && (current.queueKey !== CRISIS_QUEUE || current.priority < priority);
  const leaves = move && Boolean(crisisQueue) && current.queueKey !== CRISIS_QUEUE;
  // An offer to the old queue's agent goes; one already made to a crisis agent stands.
  const canceledOffer = leaves && current.status === 'offered' ? await cancelOfferInTx(tx, current.id, 'moved to the crisis queue') : null;
  const [updated] = await tx
    .update(conversations)
    .set({
      risk,
      ...(move
        ? {
            priority,
            ...(leaves
              ? {
                  queueKey: CRISIS_QUEUE,
                  status: 'waiting' as const,
                  // The crisis queue's own escalation plan starts over; the wait so far still counts.
                  escalationStep: 0,
                  overflowQueues: [],
                }
              : {}),
          }
        : {}),
    })
    .where(eq(conversations.id, current.id))
    .returning();

  let resourcesMessage: MessageRow | null = null;
  // Resources help someone at risk or in an emergency; a person threatening staff gets none.
  if (risk.categories.some((c) => c === 'self-harm' || c === 'emergency')) {
    const [claimed] = await tx
      .update(conversations)
      .set({ crisisResourcesSentAt: sql`now()` })
      .where(sql`${conversations.id} = ${current.id} and ${conversations.crisisResourcesSentAt} is null`)
      .returning({ id: conversations.id });
    if (claimed) {
      const language = await contactLanguage(tx, updated.contactId, found);
      const settings = await loadCrisisSettings(tx);
      resourcesMessage = await queueSystemMessage(tx, updated, { body: resourcesText(settings, language), kind: 'crisis-resources' });
    }
  }
  return { conversation: updated, risk, news, movedFrom: leaves ? current.queueKey : null, canceledOffer, resourcesMessage };
}

/** Older reasons first, new ones after, without repeats; the list stays bounded. */
function mergeReasons(before: string[], found: string[]): string[] {
  const all = [...new Set([...before, ...found])];
  return all.length <= MAX_REASONS ? all : [...all.slice(0, MAX_REASONS / 2), ...all.slice(-MAX_REASONS / 2)];
}

/** The contact's language; unknown, the language they wrote the crisis in (Spanish only if nothing matched in English). */
async function contactLanguage(tx: Tx, contactId: string, risk: Risk): Promise<Language> {
  const [c] = await tx.select({ language: contacts.language }).from(contacts).where(eq(contacts.id, contactId));
  if (c?.language) return c.language;
  return risk.languages.includes('es') && !risk.languages.includes('en') ? 'es' : 'en';
}

/**
 * After commit: supervisors (and the assignee) get `crisis.detected` with a sound and a banner in
 * the desk; the conversation's new queue and the one it left see it move; the router runs; the
 * resources text is sent.
 */
export async function publishRiskFlag(deps: Deps, flag: RiskFlag): Promise<void> {
  const c = flag.conversation;
  publishCanceled(deps, flag.canceledOffer, 'moved to the crisis queue');
  publishConversationChange(deps, c, flag.movedFrom ? [rooms.queue(flag.movedFrom)] : []);
  if (flag.news) {
    deps.realtime.publish([rooms.supervisors, ...(c.assigneeId ? [rooms.agent(c.assigneeId)] : [])], 'crisis.detected', {
      conversationId: c.id,
      number: c.number,
      queue: c.queueKey,
      channel: c.channel,
      level: flag.risk.level,
      reasons: flag.risk.reasons,
      categories: flag.risk.categories,
      assigneeId: c.assigneeId,
      status: c.status,
    });
    deps.metrics?.crisisDetections.inc({ level: flag.risk.level, channel: c.channel });
    // Categories and level only: reasons quote the contact's words, and logs never hold message text.
    deps.log.warn(
      {
        conversationId: c.id,
        level: flag.risk.level,
        categories: flag.risk.categories,
        queue: c.queueKey,
        assigned: Boolean(c.assigneeId),
      },
      'crisis detected',
    );
  }
  if (flag.resourcesMessage) await dispatchSystemMessage(deps, c, flag.resourcesMessage);
  if (flag.movedFrom || flag.canceledOffer) await deps.jobs.dispatch('crisis detected');
}
