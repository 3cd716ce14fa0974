import type { InboundMessage } from '../../core/conversations/types.js';

/** The fields of a Slack `message` event we use (Events API, `event_callback`). */
export type SlackMessageEvent = {
  type: string;
  subtype?: string;
  channel: string;
  channel_type?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  team?: string;
  files?: { name?: string; mimetype?: string; size?: number; url_private?: string; permalink?: string }[];
};

/** Who posted it, from `users.info` (cached by the caller). */
export type SlackProfile = { name?: string; email?: string };

/** Subtypes that are still a person writing; every other subtype (edits, joins, bot posts…) is ignored. */
const PERSON_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast']);

/**
 * Is this message event one a person sent that we should take? Not when it
 * is the bot's own (or any bot's), an edit/deletion/join, or in a channel no
 * inbox maps (`mapped` false) unless it is a direct message.
 */
export function isContactMessage(e: SlackMessageEvent, opts: { botUserId?: string; mapped: boolean }): boolean {
  if (e.type !== 'message' || !PERSON_SUBTYPES.has(e.subtype)) return false;
  if (e.bot_id || !e.user || e.user === opts.botUserId) return false;
  if (e.channel_type === 'im') return true;
  if (e.channel_type === 'mpim') return false;
  return opts.mapped;
}

/**
 * A person's Slack message → our InboundMessage. The conversation is keyed
 * by channel + thread root, so a reply in the thread joins it; the delivery
 * id is channel + ts (the same for every retry of the event).
 */
export function parseSlackMessage(
  e: SlackMessageEvent,
  ctx: { eventId?: string; teamId?: string; botUserId?: string; profile: SlackProfile },
): InboundMessage {
  const root = e.thread_ts ?? e.ts;
  const email = ctx.profile.email?.trim().toLowerCase();
  return {
    channel: 'slack',
    externalId: `${e.channel}:${e.ts}`,
    from: { kind: 'slack', value: e.user!, name: ctx.profile.name || undefined },
    alsoKnownAs: email ? [{ kind: 'email', value: email }] : [],
    inboxAddress: e.channel,
    threadKey: `${e.channel}:${root}`,
    body: slackTextToPlain(e.text ?? '', ctx.botUserId),
    media: (e.files ?? [])
      .filter((f) => f.url_private || f.permalink)
      .map((f) => ({ url: (f.permalink ?? f.url_private)!, contentType: f.mimetype, name: f.name, size: f.size })),
    metadata: {
      slack: {
        channel: e.channel,
        threadTs: root,
        ts: e.ts,
        team: e.team ?? ctx.teamId,
        eventId: ctx.eventId,
        channelType: e.channel_type,
      },
    },
  };
}

/** Slack's escaped mrkdwn → readable text: the bot's own mention dropped, entities decoded. */
export function slackTextToPlain(text: string, botUserId?: string): string {
  let t = text;
  if (botUserId) t = t.split(`<@${botUserId}>`).join('');
  return t
    .replace(/<(https?:[^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<(https?:[^>]+)>/g, '$1')
    .replace(/<mailto:([^|>]+)\|[^>]+>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}

/** Our text → Slack text: only &, < and > need escaping. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
