import { z } from 'zod';
import { ZBusinessHours } from '../core/business-hours.js';
import { E164, E164_HINT } from '../core/patterns.js';

/**
 * The shape of an IVR flow file (`ivr-flows/<name>.yaml`). A flow is a map of
 * named nodes; each node says what the caller hears and which node comes next.
 * Cross-references (`next`, choices, fallbacks) are checked after parsing, so a
 * typo stops start-up naming the file and the node path.
 */
export const LANGS = ['en', 'es'] as const;
export type Lang = (typeof LANGS)[number];

const ZNodeId = z.string().regex(/^[A-Za-z0-9_-]+$/, 'node ids are letters, digits, _ and -');
const ZQueueKey = z.string().regex(/^[a-z0-9_-]+$/, 'queue keys are lower-case letters, digits, _ and -');
const ZE164 = z.string().regex(E164, E164_HINT);

/** A prompt: one string, or one per language (English is required; it is the fallback). */
export const ZText = z.union([z.string().min(1), z.object({ en: z.string().min(1), es: z.string().min(1).optional() }).strict()]);
export type Text = z.infer<typeof ZText>;

const ZDigits = z.string().regex(/^[0-9*#]{1,4}$/, 'menu keys are 1–4 of 0-9 * #');

const ZSay = z
  .object({
    type: z.literal('say'),
    text: ZText,
    /** A Twilio voice name (e.g. Polly.Joanna); the flow's voice for the caller's language otherwise. */
    voice: z.string().optional(),
    /** A Twilio language tag (en-US, es-MX…); derived from the caller's language otherwise. */
    language: z.string().optional(),
    next: ZNodeId.optional(),
  })
  .strict();

const ZPlay = z
  .object({ type: z.literal('play'), url: z.url(), loop: z.number().int().min(1).max(10).default(1), next: ZNodeId.optional() })
  .strict();

const ZChoice = z
  .object({
    next: ZNodeId,
    /** Words that pick this choice when the caller speaks instead of pressing keys. */
    speech: z.array(z.string().min(1)).default([]),
  })
  .strict();

const ZGather = z
  .object({
    type: z.literal('gather'),
    prompt: ZText,
    input: z.enum(['dtmf', 'speech', 'dtmf speech']).default('dtmf speech'),
    /** Seconds of silence before it counts as no input. */
    timeout: z.number().int().min(1).max(30).default(6),
    numDigits: z.number().int().min(1).max(4).default(1),
    choices: z.record(ZDigits, ZChoice).refine((c) => Object.keys(c).length > 0, 'a gather needs at least one choice'),
    /** Extra tries after no input or an unknown key (the prompt is repeated). */
    retries: z.number().int().min(0).max(5).default(2),
    /** Said before repeating the prompt when the key is not in the menu. */
    invalid: ZText.optional(),
    /** Where to go when the caller never answered (defaults to `fallback`). */
    noInput: ZNodeId.optional(),
    /** Where to go after the last try with an unknown key. */
    fallback: ZNodeId,
  })
  .strict();

const ZHours = z
  .object({
    type: z.literal('hours'),
    /** Use this queue's business hours (set by an admin; a queue without hours is always open). */
    queue: ZQueueKey.optional(),
    /** Or hours written here. */
    hours: ZBusinessHours.optional(),
    /** Extra closed days (YYYY-MM-DD, in the hours' time zone) on top of either. */
    holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')).default([]),
    open: ZNodeId,
    closed: ZNodeId,
  })
  .strict()
  .refine((n) => n.queue || n.hours, 'an hours node needs `queue` or `hours`');

const ZLanguage = z
  .object({
    type: z.literal('language'),
    prompt: ZText,
    choices: z.record(ZDigits, z.object({ lang: z.enum(LANGS), speech: z.array(z.string()).default([]) }).strict()),
    timeout: z.number().int().min(1).max(30).default(5),
    /** The language when the caller presses nothing. */
    default: z.enum(LANGS).default('en'),
    next: ZNodeId,
  })
  .strict();

const ZEnqueue = z
  .object({
    type: z.literal('enqueue'),
    queue: ZQueueKey,
    /** Added to the queue's priority (urgent menu choices). */
    priority: z.number().int().min(-100).max(1000).default(0),
    announcement: ZText.optional(),
    /** Hold audio played between position updates; silence (a pause) without it. */
    holdMusic: z.url().optional(),
    /** Seconds of hold audio between position announcements. */
    refreshSeconds: z.number().int().min(5).max(300).default(30),
    /** Overrides the queue's max wait. */
    maxWaitSeconds: z.number().int().min(5).optional(),
    /** After the max wait, go here (e.g. a dial-out) instead of offering voicemail or a callback. */
    overflow: ZNodeId.optional(),
    /** Record the call once an agent answers (attached to the conversation). */
    record: z.boolean().default(false),
  })
  .strict();

const ZVoicemail = z
  .object({
    type: z.literal('voicemail'),
    prompt: ZText,
    queue: ZQueueKey,
    maxLength: z.number().int().min(5).max(600).default(120),
    transcribe: z.boolean().default(true),
    /** Said after the recording, before hanging up. */
    thanks: ZText.optional(),
  })
  .strict();

const ZCallback = z
  .object({
    type: z.literal('callback'),
    queue: ZQueueKey,
    priority: z.number().int().min(-100).max(1000).default(0),
    /** Asks for the number to call back, or # for the number the caller is calling from. */
    prompt: ZText.optional(),
    confirm: ZText.optional(),
  })
  .strict();

const ZDial = z
  .object({
    type: z.literal('dial'),
    /** Rung all at once; the first to answer takes the call. */
    numbers: z.array(ZE164).min(1).max(10),
    timeout: z.number().int().min(5).max(120).default(20),
    announcement: ZText.optional(),
    /** Where to go when nobody answers (hang up otherwise). */
    next: ZNodeId.optional(),
  })
  .strict();

const ZHangup = z.object({ type: z.literal('hangup'), text: ZText.optional() }).strict();

export const ZNode = z.discriminatedUnion('type', [
  ZSay,
  ZPlay,
  ZGather,
  ZHours,
  ZLanguage,
  ZEnqueue,
  ZVoicemail,
  ZCallback,
  ZDial,
  ZHangup,
]);
export type FlowNode = z.infer<typeof ZNode>;
export type NodeOf<T extends FlowNode['type']> = Extract<FlowNode, { type: T }>;

export const ZFlow = z
  .object({
    description: z.string().optional(),
    start: ZNodeId,
    /** Twilio voice per language. */
    voices: z.object({ en: z.string().optional(), es: z.string().optional() }).strict().default({}),
    /** Said, in the caller's language, before a call of this flow is recorded (an `enqueue` node with `record: true`). */
    recordingNotice: ZText.optional(),
    nodes: z.record(ZNodeId, ZNode),
  })
  .strict()
  .superRefine((flow, ctx) => {
    const exists = (id: string | undefined) => id === undefined || id in flow.nodes;
    const check = (id: string | undefined, path: (string | number)[]) => {
      if (!exists(id)) ctx.addIssue({ code: 'custom', path, message: `"${id}" is not a node of this flow` });
    };
    check(flow.start, ['start']);
    for (const [id, node] of Object.entries(flow.nodes)) {
      const at = (...p: string[]) => ['nodes', id, ...p];
      for (const ref of referencesOf(node)) check(ref.to, at(...ref.path));
    }
    // A loop made only of say/play/hours would never wait for the caller: Twilio would spin.
    for (const id of Object.keys(flow.nodes)) {
      const seen = new Set<string>();
      let cur: string | undefined = id;
      while (cur && flow.nodes[cur] && ['say', 'play', 'hours'].includes(flow.nodes[cur].type)) {
        if (seen.has(cur)) {
          ctx.addIssue({ code: 'custom', path: ['nodes', id], message: 'loops back to itself without asking the caller anything' });
          break;
        }
        seen.add(cur);
        const n: FlowNode = flow.nodes[cur];
        cur = n.type === 'hours' ? n.open : 'next' in n ? n.next : undefined;
      }
    }
  });
export type Flow = z.infer<typeof ZFlow>;

/** Every node id a node points at, with the path of the field (for error messages and outlines). */
export function referencesOf(node: FlowNode): { path: string[]; to: string; label: string }[] {
  const out: { path: string[]; to: string; label: string }[] = [];
  const add = (path: string[], to: string | undefined, label: string) => {
    if (to !== undefined) out.push({ path, to, label });
  };
  switch (node.type) {
    case 'say':
    case 'play':
      add(['next'], node.next, 'then');
      break;
    case 'gather':
      for (const [k, c] of Object.entries(node.choices))
        add(['choices', k, 'next'], c.next, `press ${k}${c.speech.length ? ` / say "${c.speech.join('", "')}"` : ''}`);
      add(['noInput'], node.noInput, 'no input');
      add(['fallback'], node.fallback, 'otherwise');
      break;
    case 'hours':
      add(['open'], node.open, 'open');
      add(['closed'], node.closed, 'closed');
      break;
    case 'language':
      add(['next'], node.next, 'then');
      break;
    case 'enqueue':
      add(['overflow'], node.overflow, 'after max wait');
      break;
    case 'dial':
      add(['next'], node.next, 'no answer');
      break;
    default:
      break;
  }
  return out;
}
