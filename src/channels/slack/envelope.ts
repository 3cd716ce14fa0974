import { z } from 'zod';
import { zodReason } from '../../core/errors.js';

/**
 * The shapes Slack sends to `/slack/events`, as far as Bolt and our listeners
 * read them. Bolt dereferences `event`, `user`, `view`, `team`, `channel`…
 * without checking, so a correctly signed but malformed payload (a replayed
 * secret, a broken proxy, a fuzzer with the signing secret) would throw inside
 * Bolt; checked here first, it is a 400 with a reason instead.
 */
const ZId = z.looseObject({ id: z.string().min(1) });
const ZNullableRef = ZId.nullable().optional();

const ZEventCallback = z.looseObject({
  event: z
    .looseObject({
      type: z.string().min(1),
      subtype: z.string().optional(),
      channel: z.union([z.string(), ZId]).optional(),
      channel_id: z.string().optional(),
      channel_type: z.string().optional(),
      user: z.union([z.string(), ZId]).optional(),
      item: z.looseObject({}).optional(),
      subteam: z.looseObject({}).optional(),
      text: z.string().optional(),
      ts: z.string().optional(),
      thread_ts: z.string().optional(),
      bot_id: z.string().optional(),
      files: z.array(z.looseObject({})).optional(),
    })
    .refine((e) => e.type !== 'message' || (typeof e.channel === 'string' && typeof e.ts === 'string'), {
      message: 'a message event needs channel and ts',
    }),
  authorizations: z.array(z.looseObject({ team_id: z.string().nullish(), enterprise_id: z.string().nullish() })).optional(),
  team_id: z.string().optional(),
  event_id: z.string().optional(),
});

const ZCommand = z.looseObject({
  command: z.string().min(1),
  user_id: z.string().min(1),
  trigger_id: z.string().min(1),
  text: z.string().optional(),
  team_id: z.string().optional(),
  channel_id: z.string().optional(),
});

/** Interactivity (actions, options, shortcuts, modals): always a user, maybe a team, channel or enterprise. */
const ZInteraction = z.looseObject({
  type: z.string().min(1),
  user: ZId,
  team: ZNullableRef,
  enterprise: ZNullableRef,
  channel: ZNullableRef,
  // Bolt destructures the first action whenever the field is there.
  actions: z.array(z.looseObject({})).optional(),
});

const ZViewAction = ZInteraction.extend({
  view: z.looseObject({ id: z.string().min(1), callback_id: z.string(), state: z.looseObject({}).optional() }),
});

const ZBlockActions = ZInteraction.extend({ actions: z.array(z.looseObject({})).min(1) });

/**
 * Why a signed body is not something Slack sends (a reason for the 400), or
 * undefined when Bolt may have it. Follows Bolt's own dispatch order.
 */
export function slackPayloadProblem(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return 'not a Slack payload';
  const b = body as Record<string, unknown>;
  const check = (schema: z.ZodType, what: string) => {
    const r = schema.safeParse(b);
    return r.success ? undefined : `${what}: ${zodReason(r.error)}`;
  };
  if (b.type === 'url_verification') return typeof b.challenge === 'string' ? undefined : 'url_verification: challenge missing';
  if (b.event !== undefined || b.type === 'event_callback') return check(ZEventCallback, 'event_callback');
  if (b.command !== undefined) return check(ZCommand, 'slash command');
  if (b.type === 'view_submission' || b.type === 'view_closed') return check(ZViewAction, String(b.type));
  if (b.type === 'block_actions' || b.type === 'interactive_message') return check(ZBlockActions, String(b.type));
  if (b.name !== undefined || b.actions !== undefined || INTERACTION_TYPES.has(String(b.type))) return check(ZInteraction, 'interaction');
  // Bolt ignores what it cannot classify (app_rate_limited…): a 200, so Slack does not retry it.
  return undefined;
}

const INTERACTION_TYPES = new Set(['block_suggestion', 'dialog_submission', 'shortcut', 'message_action']);
