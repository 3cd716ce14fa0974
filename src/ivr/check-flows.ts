/**
 * The IVR flow check, in one place: `npm run ivr:check` prints it, `GET /api/ivr-flows` shows it
 * in the admin screen. Loading validates (FlowError names the file and node); the outline adds
 * warnings for nodes never reached and queues that are not default ones.
 */
import { DEFAULT_QUEUES } from '../core/conversations/types.js';
import { referencesOf, type Flow, type FlowNode, type Text } from './flow-schema.js';
import { FlowError, loadFlowsSync } from './load-flows.js';
import { textFor } from './render.js';

const short = (t: Text | undefined, max = 70) => {
  if (!t) return '';
  const s = textFor(t, 'en').replace(/\s+/g, ' ').trim();
  const langs = typeof t === 'string' ? '' : ` [${Object.keys(t).join('/')}]`;
  return `"${s.length > max ? `${s.slice(0, max - 1)}…` : s}"${langs}`;
};

export function describeNode(n: FlowNode): string {
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
      return `voicemail → queue ${n.queue} (max ${n.maxLength}s${n.transcribe ? ', transcribed' : ''})`;
    case 'callback':
      return `callback request → queue ${n.queue}`;
    case 'dial':
      return `dial ${n.numbers.join(', ')} (${n.timeout}s)`;
    case 'hangup':
      return `hang up${n.text ? ` after ${short(n.text)}` : ''}`;
  }
}

/** One node of a flow as a tree: what it does and where each answer leads; a node met before is not repeated. */
export type FlowTreeNode = { id: string; label: string; summary: string; type: FlowNode['type']; repeated: boolean; next: FlowTreeNode[] };

/** A flow as a readable outline (the script's output), a tree (the admin screen) and its warnings. */
export function outline(name: string, flow: Flow): { lines: string[]; tree: FlowTreeNode; warnings: string[] } {
  const lines = [`${name}${flow.description ? ` — ${flow.description}` : ''}`];
  const seen = new Set<string>();
  const walk = (id: string, indent: string, label: string): FlowTreeNode => {
    const node = flow.nodes[id];
    const head = `${indent}${label ? `${label} → ` : ''}${id}: `;
    const summary = describeNode(node);
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
  const known = new Set<string>(DEFAULT_QUEUES.map((q) => q.key));
  for (const [id, n] of Object.entries(flow.nodes)) {
    const q = 'queue' in n ? n.queue : undefined;
    if (q && !known.has(q)) warnings.push(`${name}: node ${id} uses queue "${q}", which is not a default queue (an admin must create it)`);
  }
  warnings.push(...languageWarnings(name, flow));
  return { lines, tree, warnings };
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
  const texts: [string, Text][] = [];
  for (const [id, n] of Object.entries(flow.nodes))
    for (const key of ['text', 'prompt', 'announcement', 'invalid', 'thanks', 'confirm'] as const) {
      const t = (n as Record<string, unknown>)[key] as Text | undefined;
      if (t) texts.push([`${id}.${key}`, t]);
    }
  for (const [where, t] of texts) {
    const parts: ['en' | 'es', string][] = typeof t === 'string' ? [['en', t]] : (Object.entries(t) as ['en' | 'es', string][]);
    for (const [lang, text] of parts)
      for (const s of sentences(text)) {
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
      for (const s of sentences(text)) {
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

/** Loads and checks every flow in `dir`; an invalid one gives `ok: false` and the problem. */
export function checkFlows(dir: string): FlowsCheck {
  try {
    const flows = [...loadFlowsSync(dir)].map(([name, flow]) => ({ name, flow, ...outline(name, flow) }));
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
