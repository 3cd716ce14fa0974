/**
 * `npm run ivr:check [dir]` — validates every IVR flow without starting
 * Switchboard and prints a readable outline of each. Exits 1 naming the file
 * and node path of the first problem. The flows directory is the argument,
 * else IVR_FLOWS_DIR, else ./ivr-flows.
 */
import { DEFAULT_QUEUES } from '../src/core/conversations/types.js';
import { referencesOf, type Flow, type FlowNode, type Text } from '../src/ivr/flow-schema.js';
import { FlowError, loadFlowsSync } from '../src/ivr/load-flows.js';
import { textFor } from '../src/ivr/render.js';

const dir = process.argv[2] ?? process.env.IVR_FLOWS_DIR ?? 'ivr-flows';

const short = (t: Text | undefined, max = 70) => {
  if (!t) return '';
  const s = textFor(t, 'en').replace(/\s+/g, ' ').trim();
  const langs = typeof t === 'string' ? '' : ` [${Object.keys(t).join('/')}]`;
  return `"${s.length > max ? `${s.slice(0, max - 1)}…` : s}"${langs}`;
};

function describeNode(n: FlowNode): string {
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

function outline(name: string, flow: Flow): { lines: string[]; warnings: string[] } {
  const lines = [`${name}${flow.description ? ` — ${flow.description}` : ''}`];
  const seen = new Set<string>();
  const walk = (id: string, indent: string, label: string) => {
    const node = flow.nodes[id];
    const head = `${indent}${label ? `${label} → ` : ''}${id}: `;
    if (seen.has(id)) {
      lines.push(`${head}(see above)`);
      return;
    }
    seen.add(id);
    lines.push(head + describeNode(node));
    for (const ref of referencesOf(node)) walk(ref.to, `${indent}  `, ref.label);
  };
  walk(flow.start, '  ', 'start');
  const warnings: string[] = [];
  for (const id of Object.keys(flow.nodes)) if (!seen.has(id)) warnings.push(`${name}: node ${id} is never reached`);
  const known = new Set<string>(DEFAULT_QUEUES.map((q) => q.key));
  for (const [id, n] of Object.entries(flow.nodes)) {
    const q = 'queue' in n ? n.queue : undefined;
    if (q && !known.has(q)) warnings.push(`${name}: node ${id} uses queue "${q}", which is not a default queue (an admin must create it)`);
  }
  return { lines, warnings };
}

try {
  const flows = loadFlowsSync(dir);
  const warnings: string[] = [];
  for (const [name, flow] of flows) {
    const o = outline(name, flow);
    console.log(o.lines.join('\n') + '\n');
    warnings.push(...o.warnings);
  }
  for (const w of warnings) console.log(`warning: ${w}`);
  console.log(`${flows.size} flow(s) in ${dir}: OK`);
} catch (err) {
  if (err instanceof FlowError) {
    console.error(`invalid IVR flow: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
