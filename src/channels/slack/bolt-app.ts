import { App, LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { ingestInbound } from '../../core/conversations/ingest-inbound.js';
import { csatThanks, recordCsatAnswer } from '../../core/csat/record-answer.js';
import type { Deps } from '../../core/ports.js';
import { inboundEventSeen } from '../../db/queries/inbound-events.js';
import { findInbox, getQueue, listQueues } from '../../db/queries/queues.js';
import type { Logger } from '../../logger.js';
import { helpdeskModal, HELPDESK_CALLBACK_ID, readHelpdeskSubmission } from './helpdesk-modal.js';
import { escapeSlack, isContactMessage, parseSlackMessage, type SlackMessageEvent, type SlackProfile } from './parse-event.js';
import { botIdentity } from './client.js';
import { CSAT_ACTION, readCsatClick } from './csat-buttons.js';
import { findOpenDmConversation } from './find-dm-conversation.js';
import { SwitchboardSlackReceiver } from './receiver.js';

const PROFILE_TTL_MS = 10 * 60 * 1000;
/**
 * How long storing a message waits for users.info: the answer to Slack (sent only once the message
 * is stored) must come within Slack's 3 s. A slower look-up still fills the cache for next time.
 */
const PROFILE_WAIT_MS = 1_200;

/**
 * The Bolt app: direct messages and messages in mapped channels become
 * inbound messages; `/helpdesk` opens a modal whose submission opens a
 * request in the chosen queue, answered in a DM thread.
 */
export function createSlackApp(deps: Deps, client: WebClient, signingSecret: string): SwitchboardSlackReceiver {
  const receiver = new SwitchboardSlackReceiver({ signingSecret, log: deps.log });
  const whoAmI = botIdentity(client);
  const profileOf = profileLookup(client, deps.log);
  const app = new App({
    receiver,
    authorize: async () => {
      const me = await whoAmI();
      return { botToken: deps.config.slack.botToken, botUserId: me.botUserId, botId: me.botId, teamId: me.teamId };
    },
    clientOptions: deps.config.slack.apiUrl ? { slackApiUrl: deps.config.slack.apiUrl } : {},
    logger: boltLogger(deps.log),
    logLevel: LogLevel.WARN,
  });

  app.event('message', async ({ event, body, context }) => {
    const e = event as unknown as SlackMessageEvent;
    const isDm = e.channel_type === 'im';
    const mapped = !isDm && !!e.channel && !!(await findInbox(deps.db, 'slack', e.channel));
    if (!isContactMessage(e, { botUserId: context.botUserId, mapped })) return;
    const profile = await profileOf(e.user!);
    const inbound = parseSlackMessage(e, {
      eventId: (body as { event_id?: string }).event_id,
      teamId: (body as { team_id?: string }).team_id,
      botUserId: context.botUserId,
      profile,
    });
    if (isDm) inbound.conversationId = await findOpenDmConversation(deps.db, e.channel, String(inbound.threadKey));
    await ingestInbound(deps, inbound);
  });

  // A satisfaction survey's button (send.ts posts them): the score counts once, and only from the
  // person who was asked; the buttons then make way for the answer so nobody clicks again.
  app.action(CSAT_ACTION, async ({ ack, body, action }) => {
    const click = readCsatClick((action as { value?: unknown }).value);
    if (click) {
      const outcome = await recordCsatAnswer(deps, { ...click, answeredBy: { kind: 'slack', value: body.user.id } });
      const where = body as {
        channel?: { id?: string };
        message?: { ts?: string };
        container?: { channel_id?: string; message_ts?: string };
      };
      const channel = where.channel?.id ?? where.container?.channel_id;
      const ts = where.message?.ts ?? where.container?.message_ts;
      if ((outcome.status === 'recorded' || outcome.status === 'answered') && channel && ts) {
        const text = await csatThanks(deps.db, click.conversationId, outcome.survey.score ?? click.score);
        await client.chat.update({ channel, ts, text, blocks: [{ type: 'section', text: { type: 'plain_text', text } }] });
      }
    }
    await ack();
  });

  app.command('/helpdesk', async ({ ack, command }) => {
    await ack();
    const queues = await listQueues(deps.db);
    await client.views.open({ trigger_id: command.trigger_id, view: helpdeskModal(queues, command.text) });
  });

  app.view(HELPDESK_CALLBACK_ID, async ({ ack, body, view }) => {
    const request = readHelpdeskSubmission(view);
    const queue = request ? await getQueue(deps.db, request.queue) : undefined;
    if (!request || !queue) {
      await ack({ response_action: 'errors', errors: { category: 'Pick a category' } });
      return;
    }
    const externalId = `view:${view.id}`;
    // Submitted again after a slow first answer: it is stored already, do not post a second confirmation.
    if (await inboundEventSeen(deps.db, 'slack:message', externalId)) return ack();
    const user = body.user.id;
    const profile = await profileOf(user);
    // The request lives in a DM thread with the requester; agents answer there. All of it happens
    // before the answer to Slack: if storing fails, the modal shows an error and keeps the text.
    const dm = await client.conversations.open({ users: user });
    const channel = dm.channel?.id;
    if (!channel) throw new Error('conversations.open returned no channel');
    const posted = await client.chat.postMessage({
      channel,
      text: `Your request to *${escapeSlack(queue.name)}* is in:\n>${escapeSlack(request.text).replace(/\n/g, '\n>')}\nAn agent will answer in this thread.`,
      unfurl_links: false,
    });
    const ts = String(posted.ts);
    await ingestInbound(deps, {
      channel: 'slack',
      externalId,
      from: { kind: 'slack', value: user, name: profile.name },
      alsoKnownAs: profile.email ? [{ kind: 'email', value: profile.email.toLowerCase() }] : [],
      inboxAddress: channel,
      threadKey: `${channel}:${ts}`,
      queue: queue.key,
      subject: `${queue.name}: ${request.text.split('\n')[0].slice(0, 80)}`,
      body: request.text,
      metadata: { slack: { channel, threadTs: ts, team: body.team?.id, via: 'helpdesk' } },
    });
    await ack();
  });

  return receiver;
}

/** users.info, cached for a while: the name to show agents, and the email that joins an existing contact. */
function profileLookup(client: WebClient, log: Logger) {
  const cache = new Map<string, { at: number; profile: SlackProfile }>();
  const lookUp = async (userId: string): Promise<SlackProfile> => {
    try {
      const r = await client.users.info({ user: userId });
      const p = r.user?.profile;
      const profile: SlackProfile = {
        name: p?.real_name || p?.display_name || r.user?.real_name || r.user?.name || undefined,
        email: p?.email || undefined,
      };
      cache.set(userId, { at: Date.now(), profile });
      if (cache.size > 5000) cache.delete(cache.keys().next().value!);
      return profile;
    } catch (err) {
      // Without a profile the message still counts; the contact just has no name or email yet.
      log.warn({ err, userId }, 'slack users.info failed');
      return {};
    }
  };
  return async (userId: string): Promise<SlackProfile> => {
    const hit = cache.get(userId);
    if (hit && Date.now() - hit.at < PROFILE_TTL_MS) return hit.profile;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<SlackProfile>((resolve) => {
      timer = setTimeout(() => resolve({}), PROFILE_WAIT_MS);
    });
    try {
      return await Promise.race([lookUp(userId), late]);
    } finally {
      clearTimeout(timer);
    }
  };
}

function boltLogger(log: Logger): BoltLogger {
  let level = LogLevel.WARN;
  const child = log.child({ component: 'slack-bolt' });
  return {
    debug: () => {},
    info: () => {},
    warn: (...msg: unknown[]) => child.warn(msg.map(String).join(' ')),
    // Bolt logs our listeners' errors here: through the error serializer, so a database error's values stay out.
    error: (...msg: unknown[]) => {
      const err = msg.find((m) => m instanceof Error);
      child.error(
        { ...(err ? { err } : {}) },
        msg
          .filter((m) => !(m instanceof Error))
          .map(String)
          .join(' ') || 'slack listener failed',
      );
    },
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
