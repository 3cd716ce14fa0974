/**
 * Summarises V8 `.cpuprofile` files (`node --cpu-prof`): self time per function and per
 * package (a `node_modules` package, a `src/` folder, node's own internals, GC, idle).
 *
 *   npx tsx bench/cpu-top.ts <file.cpuprofile>… [--top 30]
 */
import { readFileSync } from 'node:fs';

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number };
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

/** Where a function lives: `pkg:bullmq`, `src/core/routing`, `node:internal`, or V8's own `(garbage collector)`. */
export function ownerOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return 'pkg:' + (rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]);
  }
  const src = url.indexOf('/src/');
  if (src >= 0)
    return (
      url
        .slice(src + 1)
        .split('/')
        .slice(0, -1)
        .join('/') || 'src'
    );
  if (url.startsWith('node:')) return 'node:internal';
  return url;
}

export function summarise(file: string, top = 30): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const fns = new Map<string, number>();
  const owners = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    total += us;
    const short = url.replace(/^.*node_modules\//, '').replace(/^.*\/src\//, 'src/');
    const key = `${functionName || '(anonymous)'} ${short}${url ? ':' + (lineNumber + 1) : ''}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const owner = ownerOf(url, functionName);
    owners.set(owner, (owners.get(owner) ?? 0) + us);
  }
  const busy = total - (owners.get('(idle)') ?? 0);
  const rows = (m: Map<string, number>, n: number) =>
    [...m]
      .filter(([k]) => k !== '(idle)' && !k.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `  ${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${k}`)
      .join('\n');
  return [
    `${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (not idle)`,
    'by owner (self time, share of busy):',
    rows(owners, 25),
    `top ${top} functions:`,
    rows(fns, top),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const t = args.indexOf('--top');
  const top = t >= 0 ? Number(args[t + 1]) : 30;
  for (const f of args.filter((a, i) => a.endsWith('.cpuprofile') && i !== t + 1)) process.stdout.write(summarise(f, top) + '\n\n');
}
