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
    if (seen.has(id)) {
      lines.push(`${head}(see above)`);
      return { id, label, summary: describeNode(node), type: node.type, repeated: true, next: [] };
    }
    seen.add(id);
    lines.push(head + describeNode(node));
    const summary = describeNode(node);
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
  return { lines, tree, warnings };
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
