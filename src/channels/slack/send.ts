import { eq } from 'drizzle-orm';
import type { types } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { PermanentSendError } from '../../core/conversations/deliver-message.js';
import type { ChannelSender, Deps } from '../../core/ports.js';
import { agents, type ConversationRow } from '../../db/schema.js';
import { csatBlocks } from './csat-buttons.js';
import { escapeSlack } from './parse-event.js';

type SlackMeta = { channel?: string; threadTs?: string };

/** Slack errors that no retry will fix. */
const PERMANENT = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'msg_too_long',
  'no_text',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'restricted_action',
]);

/**
 * Agent replies go into the conversation's Slack thread (`chat.postMessage`
 * with `thread_ts`), prefixed with the agent's name so the requester sees
 * who answered; resolving posts a short note in the same thread.
 */
export function slackSender(deps: Omit<Deps, 'channels'>, client: WebClient): ChannelSender {
  const agentName = async (id: string | null) => {
    if (!id) return undefined;
    const [a] = await deps.db.select({ name: agents.name }).from(agents).where(eq(agents.id, id));
    return a?.name;
  };
  const post = async (conversation: ConversationRow, text: string, blocks?: types.KnownBlock[]) => {
    const meta = (conversation.metadata.slack ?? {}) as SlackMeta;
    const channel = meta.channel ?? conversation.inboxAddress;
    try {
      const r = await client.chat.postMessage({
        channel,
        thread_ts: meta.threadTs,
        text,
        ...(blocks ? { blocks } : {}),
        unfurl_links: false,
        unfurl_media: false,
      });
      return `${channel}:${String(r.ts)}`;
    } catch (err) {
      const code = (err as { data?: { error?: string } }).data?.error;
      if (code && PERMANENT.has(code)) throw new PermanentSendError(`slack: ${code}`);
      throw err;
    }
  };
  return {
    async send({ message, conversation }) {
      // The satisfaction survey: its question with five buttons (answered through Bolt, bolt-app.ts).
      if (message.metadata.system === 'csat') {
        const externalId = await post(conversation, message.body, csatBlocks(message.body, conversation.id));
        return { externalId, status: 'sent' };
      }
      const name = (await agentName(message.authorAgentId)) ?? 'Support';
      const externalId = await post(conversation, `*${escapeSlack(name)}:* ${escapeSlack(message.body)}`);
      return { externalId, status: 'sent' };
    },
    async staffPost(channel, text, threadTs) {
      const r = await client.chat.postMessage({
        channel,
        thread_ts: threadTs,
        text: escapeSlack(text),
        unfurl_links: false,
        unfurl_media: false,
      });
      return { ts: String(r.ts) };
    },
    async onResolved(conversation) {
      const name = await agentName(conversation.assigneeId);
      await post(
        conversation,
        `:white_check_mark: ${name ? `${escapeSlack(name)} marked this request resolved` : 'This request was resolved'}. Reply in this thread if you need anything else.`,
      );
    },
  };
}
