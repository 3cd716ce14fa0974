import { and, desc, eq } from 'drizzle-orm';
import type { Transporter } from 'nodemailer';
import { PermanentSendError } from '../../core/conversations/deliver-message.js';
import type { ChannelSender, Deps } from '../../core/ports.js';
import { getQueue } from '../../db/queries/queues.js';
import { agents, messages, type MessageRow } from '../../db/schema.js';
import { ratingUrl } from '../../core/csat/rating-link.js';
import type { ThreadSigner } from './threading.js';

type EmailMeta = { messageId?: string; references?: string[] };

/**
 * Sends an agent's reply as mail in the contact's thread: `Message-ID` signed
 * for safe threading, `In-Reply-To` the contact's latest mail, `References`
 * the chain (root kept), `Re:` subject, text and HTML parts. From is the
 * queue's own address, else MAIL_FROM, with the agent's name so the contact
 * sees who answered; Reply-To is the address they wrote to.
 */
export function emailSender(deps: Omit<Deps, 'channels'>, transport: Transporter, signer: ThreadSigner): ChannelSender {
  const { db, config } = deps;
  return {
    async send({ message, conversation, to }) {
      // Answer the address that opened this conversation, even if the contact has others (Slack profile email…).
      const recipient = ((conversation.metadata.email ?? {}) as { from?: string }).from ?? to;
      const queue = await getQueue(db, conversation.queueKey);
      const fromAddress = queue?.emailFrom ?? config.mail.from ?? conversation.inboxAddress;
      const [author] = message.authorAgentId
        ? await db.select({ name: agents.name }).from(agents).where(eq(agents.id, message.authorAgentId))
        : [];
      const [lastInbound] = await db
        .select({ externalId: messages.externalId, metadata: messages.metadata })
        .from(messages)
        .where(and(eq(messages.conversationId, conversation.id), eq(messages.direction, 'inbound'), eq(messages.channel, 'email')))
        .orderBy(desc(messages.createdAt))
        .limit(1);
      const meta = (lastInbound?.metadata.email ?? {}) as EmailMeta;
      const parentId = meta.messageId ?? lastInbound?.externalId ?? undefined;
      const chain = [...(meta.references ?? []), ...(parentId ? [parentId] : [])];
      // Keep the root and the most recent ids: long chains get folded by some servers.
      const references = chain.length > 20 ? [chain[0], ...chain.slice(-19)] : chain;
      const messageId = signer.messageIdFor(conversation.id, message.id);
      // A conversation the agent started (nothing inbound yet) opens with its own subject, not "Re:".
      const subject = lastInbound ? replySubject(conversation.subject) : conversation.subject?.trim() || 'Message from the service desk';
      const replyTo =
        config.mail.inboundDomain && conversation.inboxAddress.endsWith(`@${config.mail.inboundDomain}`)
          ? conversation.inboxAddress
          : undefined;

      const rating = csatRatingUrl(config, message, conversation.id);
      try {
        await transport.sendMail({
          from: {
            name: author ? `${author.name}${queue ? ` (${queue.name})` : ''}` : (queue?.name ?? 'Switchboard'),
            address: bareAddress(fromAddress),
          },
          to: recipient,
          ...(replyTo && replyTo !== bareAddress(fromAddress) ? { replyTo } : {}),
          subject,
          text: rating ? `${message.body}\n\n${rating}` : message.body,
          html:
            `<div style="white-space: pre-wrap">${escapeHtml(message.body)}</div>` +
            (rating ? `<p><a href="${escapeHtml(rating)}">${escapeHtml(rating)}</a></p>` : ''),
          messageId,
          ...(parentId ? { inReplyTo: parentId } : {}),
          ...(references.length ? { references } : {}),
        });
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        // 5xx: the server refused for good (bad address, policy); 4xx and connection errors are worth a retry.
        if (typeof code === 'number' && code >= 500) throw new PermanentSendError(`mail refused (${code})`);
        throw err;
      }
      return { externalId: messageId, status: 'sent' };
    },
  };
}

/**
 * The satisfaction survey's signed link (core/csat/rating-link.ts), made at send time so the
 * stored message agents read never holds it: an agent cannot rate their own work.
 */
function csatRatingUrl(config: Deps['config'], message: MessageRow, conversationId: string): string | null {
  const expiresAt = (message.metadata.csat as { expiresAt?: string } | undefined)?.expiresAt;
  if (message.metadata.system !== 'csat' || !expiresAt) return null;
  return ratingUrl(config, conversationId, new Date(expiresAt));
}

export function replySubject(subject: string | null | undefined): string {
  const s = subject?.trim();
  if (!s) return 'Re: your message';
  return /^re\s*:/i.test(s) ? s : `Re: ${s}`;
}

/** "Name <a@b>" → a@b (MAIL_FROM may carry a display name). */
function bareAddress(from: string): string {
  const m = /<([^>]+)>/.exec(from);
  return (m ? m[1] : from).trim();
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
