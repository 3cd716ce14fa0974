/**
 * The IVR flow check, in one place: `npm run ivr:check` prints it, `GET /api/ivr-flows` shows it
 * in the admin screen. Loading validates (FlowError names the file and node); the outline adds
 * warnings for nodes never reached and queues that are not default ones.
 */
import { DEFAULT_QUEUES } from '../core/conversations/types.js';
import { callbackShift } from '../core/routing/policy.js';
import { HOURS_PLACEHOLDER } from '../core/spoken-hours.js';
import type { CallbackOrder } from '../db/schema.js';
import { referencesOf, type Flow, type FlowNode, type Text } from './flow-schema.js';
import { FlowError, loadFlowsSync } from './load-flows.js';
import { textFor } from './render.js';

const short = (t: Text | undefined, max = 70) => {
  if (!t) return '';
  const s = textFor(t, 'en').replace(/\s+/g, ' ').trim();
  const langs = typeof t === 'string' ? '' : ` [${Object.keys(t).join('/')}]`;
  return `"${s.length > max ? `${s.slice(0, max - 1)}…` : s}"${langs}`;
};

/**
 * What the check knows of the queues: the API passes the real ones (their `callbackOrder`); the
 * script runs without a database and assumes the default queues with the default order.
 */
export type QueueFacts = { key: string; callbackOrder: CallbackOrder }[];
const DEFAULT_FACTS: QueueFacts = DEFAULT_QUEUES.map((q) => ({ key: q.key, callbackOrder: 'afterLive' }));

const ORDER_WORDS: Record<CallbackOrder, string> = {
  afterLive: 'behind live callers of the same priority',
  arrival: 'in arrival order with live callers',
  first: 'ahead of live callers of the same priority',
};

export function describeNode(n: FlowNode, queues?: QueueFacts): string {
  switch (n.type) {
    case 'say':
      return `say ${short(n.text)}`;
    case 'play':
      return `play ${n.url}${n.loop > 1 ? ` ×${n.loop}` : ''}`;
    case 'gather':
      return `menu (${n.input}, ${n.retries} retries) ${short(n.prompt, 50)}`;
    case 'hours':
      return `business hours of ${n.queue ? `queue ${n.queue}` : n.hours!.timezone}${n.holidays.length ? `, holidays ${n.holidays.join(', ')}` : ''}`;
    case 'language':
      return `language: ${Object.entries(n.choices)
        .map(([k, c]) => `${k}=${c.lang}`)
        .join(', ')} (default ${n.default})`;
    case 'enqueue':
      return `queue ${n.queue}${n.priority ? ` (priority +${n.priority})` : ''}${n.maxWaitSeconds ? `, max wait ${n.maxWaitSeconds}s` : ''}${n.overflow ? '' : ', then voicemail/callback offer'}${n.record ? ', recorded' : ''}`;
    case 'voicemail':
      return `voicemail → queue ${n.queue} (max ${n.maxLength}s${n.transcribe ? ', transcribed' : ''}; ${waitsAs(n.queue, queues)})`;
    case 'callback':
      return `callback request → queue ${n.queue}${n.priority ? ` (priority ${n.priority > 0 ? '+' : ''}${n.priority})` : ''}; ${waitsAs(n.queue, queues)}`;
    case 'dial':
      return `dial ${n.numbers.join(', ')} (${n.timeout}s)`;
    case 'hangup':
      return `hang up${n.text ? ` after ${short(n.text)}` : ''}`;
  }
}

/** One node of a flow as a tree: what it does and where each answer leads; a node met before is not repeated. */
export type FlowTreeNode = { id: string; label: string; summary: string; type: FlowNode['type']; repeated: boolean; next: FlowTreeNode[] };

/** Where a callback or voicemail of `queue` waits: the queue's `callbackOrder`, or the default when the check has no queues. */
function waitsAs(queue: string, queues?: QueueFacts): string {
  const order = queues?.find((q) => q.key === queue)?.callbackOrder;
  return order ? `waits ${ORDER_WORDS[order]}` : `waits ${ORDER_WORDS.afterLive} unless the queue's callbackOrder says otherwise`;
}

/** A flow as a readable outline (the script's output), a tree (the admin screen) and its warnings. */
export function outline(name: string, flow: Flow, queues?: QueueFacts): { lines: string[]; tree: FlowTreeNode; warnings: string[] } {
  const lines = [`${name}${flow.description ? ` — ${flow.description}` : ''}`];
  const seen = new Set<string>();
  const walk = (id: string, indent: string, label: string): FlowTreeNode => {
    const node = flow.nodes[id];
    const head = `${indent}${label ? `${label} → ` : ''}${id}: `;
    const summary = describeNode(node, queues);
    if (seen.has(id)) {
      lines.push(`${head}(see above)`);
      return { id, label, summary, type: node.type, repeated: true, next: [] };
    }
    seen.add(id);
    lines.push(head + summary);
    const next = referencesOf(node).map((ref) => walk(ref.to, `${indent}  `, ref.label));
    return { id, label, summary, type: node.type, repeated: false, next };
  };
  const tree = walk(flow.start, '  ', 'start');
  const warnings: string[] = [];
  for (const id of Object.keys(flow.nodes)) if (!seen.has(id)) warnings.push(`${name}: node ${id} is never reached`);
  const facts = queues ?? DEFAULT_FACTS;
  const known = new Set<string>(facts.map((q) => q.key));
  const unknownQueue = queues ? 'which does not exist (an admin must create it)' : 'which is not a default queue (an admin must create it)';
  for (const [id, n] of Object.entries(flow.nodes)) {
    const q = 'queue' in n ? n.queue : undefined;
    if (q && !known.has(q)) warnings.push(`${name}: node ${id} uses queue "${q}", ${unknownQueue}`);
  }
  warnings.push(...hoursWarnings(name, flow, known, unknownQueue));
  warnings.push(...callbackOrderWarnings(name, flow, facts, !queues));
  warnings.push(...languageWarnings(name, flow));
  return { lines, tree, warnings };
}

/** Every text of a node, by where it is (`closed.text`), for the checks on what callers hear. */
function textsOf(flow: Flow): [string, Text][] {
  const texts: [string, Text][] = [];
  for (const [id, n] of Object.entries(flow.nodes))
    for (const key of ['text', 'prompt', 'announcement', 'invalid', 'thanks', 'confirm'] as const) {
      const t = (n as Record<string, unknown>)[key] as Text | undefined;
      if (t) texts.push([`${id}.${key}`, t]);
    }
  return texts;
}
const langParts = (t: Text): [string, string][] => (typeof t === 'string' ? [['', t]] : Object.entries(t).map(([l, s]) => [`.${l}`, s]));

/** Opening hours written out ("Monday to Friday", "9 AM", "de 9 de la mañana"): they go stale when an admin changes the queue's hours. */
const WRITTEN_HOURS =
  /\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|lunes|martes|mi[eé]rcoles|jueves|viernes|s[aá]bado|domingo)\b|\b\d{1,2}(:\d\d)?\s*(am|pm|a\.\s?m\.|p\.\s?m\.)|de la (mañana|tarde|noche)/i;

/**
 * `{hours:<queue>}` must name a queue; hours spelled out in a prompt are warned about (say
 * `{hours:<queue>}`, filled from the queue's business hours in the caller's language).
 */
function hoursWarnings(name: string, flow: Flow, known: Set<string>, unknownQueue: string): string[] {
  const out: string[] = [];
  for (const [where, t] of textsOf(flow))
    for (const [suffix, text] of langParts(t)) {
      for (const m of text.matchAll(HOURS_PLACEHOLDER))
        if (!known.has(m[1])) out.push(`${name}: ${where}${suffix} says the hours of queue "${m[1]}", ${unknownQueue}`);
      if (WRITTEN_HOURS.test(text.replace(HOURS_PLACEHOLDER, '')))
        out.push(
          `${name}: ${where}${suffix} spells out opening hours; say {hours:<queue>} instead, so callers hear the queue's real hours`,
        );
    }
  return out;
}

/**
 * A callback or voicemail node whose own priority undoes the queue's `callbackOrder` (e.g. a
 * callback at +2 overtakes live callers at +0 even though the queue puts them behind): the queue
 * setting is the one place that order is decided.
 */
function callbackOrderWarnings(name: string, flow: Flow, queues: QueueFacts, assumed: boolean): string[] {
  const out: string[] = [];
  const nodes = Object.entries(flow.nodes);
  for (const [id, n] of nodes) {
    if (n.type !== 'callback' && n.type !== 'voicemail') continue;
    const order = queues.find((q) => q.key === n.queue)?.callbackOrder ?? 'afterLive';
    const waitsAt = (n.type === 'callback' ? n.priority : 0) + callbackShift(order);
    for (const [liveId, live] of nodes) {
      if (live.type !== 'enqueue' || live.queue !== n.queue) continue;
      const actual = Math.sign(waitsAt - live.priority);
      // The queue's order is what a callback at the live callers' own priority gets: the sign of its shift.
      if (actual === Math.sign(callbackShift(order))) continue;
      const where = actual < 0 ? 'behind' : actual > 0 ? 'ahead of' : 'level with';
      out.push(
        `${name}: node ${id} (${n.type}, priority ${n.type === 'callback' ? n.priority : 0}) waits ${where} the live callers of node ${liveId} (priority ${live.priority}), though queue ${n.queue} ${assumed ? 'by default ' : ''}puts callbacks ${ORDER_WORDS[order]}; set the queue's callbackOrder instead of node priorities`,
      );
    }
  }
  return out;
}

/** Words that mark a sentence as English or Spanish (enough to spot one language inside the other's <Say>). */
const MARKERS = {
  en: new Set(['the', 'you', 'your', 'press', 'please', 'for', 'and', 'if', 'is', 'are', 'our', 'to', 'we', 'call']),
  es: new Set([
    'el',
    'la',
    'usted',
    'oprima',
    'para',
    'por',
    'su',
    'necesita',
    'si',
    'de',
    'en',
    'y',
    'nuestro',
    'nuestra',
    'le',
    'espanol',
  ]),
} as const;
/** Words of a menu sentence that are not the option itself. */
const FILLER = new Set([
  ...MARKERS.en,
  ...MARKERS.es,
  'a',
  'an',
  'or',
  'in',
  'it',
  'be',
  'this',
  'that',
  'with',
  'of',
  'someone',
  'danger',
  'leave',
  'request',
  'help',
  'o',
  'dejar',
  'pedir',
  'que',
  'un',
  'una',
  'alguien',
  'corre',
  'esta',
  'con',
  'lo',
  'los',
  'las',
  'del',
  'al',
  'english',
]);
const words = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9 ]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
const langOf = (sentence: string): 'en' | 'es' | null => {
  const w = words(sentence);
  const en = w.filter((x) => MARKERS.en.has(x)).length;
  const es = w.filter((x) => MARKERS.es.has(x)).length;
  return en > es ? 'en' : es > en ? 'es' : null;
};
const sentences = (s: string) => s.split(/(?<=[.!?])\s+/).filter((x) => x.trim());

/**
 * Warnings about what callers hear: a sentence of one language inside another language's <Say> (read by
 * the wrong voice), and words a menu sentence says for an option ("For partners and endorsers, press 3")
 * that its choice's speech list does not have (callers who say them would be refused).
 */
function languageWarnings(name: string, flow: Flow): string[] {
  const out: string[] = [];
  for (const [where, t] of textsOf(flow)) {
    const parts: ['en' | 'es', string][] = typeof t === 'string' ? [['en', t]] : (Object.entries(t) as ['en' | 'es', string][]);
    for (const [lang, text] of parts)
      for (const s of sentences(text.replace(HOURS_PLACEHOLDER, ''))) {
        const l = langOf(s);
        if (l && l !== lang)
          out.push(
            `${name}: ${where}${typeof t === 'string' ? '' : `.${lang}`} mixes languages: "${s.trim()}" is ${l === 'es' ? 'Spanish' : 'English'} inside a ${lang === 'es' ? 'Spanish' : 'English'} <Say> (give it its own language)`,
          );
      }
  }
  for (const [id, n] of Object.entries(flow.nodes)) {
    if (n.type !== 'gather' && n.type !== 'language') continue;
    const parts = typeof n.prompt === 'string' ? [n.prompt] : Object.values(n.prompt).filter((x): x is string => Boolean(x));
    for (const text of parts)
      for (const s of sentences(text.replace(HOURS_PLACEHOLDER, ''))) {
        const key = s.match(/(?:press|oprima|pulse|marque)\s+(\d)/i)?.[1];
        const choice = key ? (n.choices as Record<string, { speech: string[] }>)[key] : undefined;
        if (!choice) continue;
        const known = new Set(choice.speech.flatMap(words));
        for (const w of words(s.replace(/(?:press|oprima|pulse|marque)\s+\d/i, '')))
          if (!FILLER.has(w) && !/^\d+$/.test(w) && !known.has(w))
            out.push(`${name}: node ${id} says "${w}" for option ${key}, but its speech hints do not have it`);
      }
  }
  return out;
}

export type FlowsCheck =
  | { ok: true; flows: { name: string; description: string | null; lines: string[]; tree: FlowTreeNode }[]; warnings: string[] }
  | { ok: false; error: string; flows: []; warnings: [] };

/** Loads and checks every flow in `dir` (against `queues` when given); an invalid one gives `ok: false` and the problem. */
export function checkFlows(dir: string, queues?: QueueFacts): FlowsCheck {
  try {
    const flows = [...loadFlowsSync(dir)].map(([name, flow]) => ({ name, flow, ...outline(name, flow, queues) }));
    return {
      ok: true,
      flows: flows.map((f) => ({ name: f.name, description: f.flow.description ?? null, lines: f.lines, tree: f.tree })),
      warnings: flows.flatMap((f) => f.warnings),
    };
  } catch (err) {
    if (err instanceof FlowError) return { ok: false, error: err.message, flows: [], warnings: [] };
    throw err;
  }
}
