/**
 * `npm run ivr:check [dir]` — validates every IVR flow without starting
 * Switchboard and prints a readable outline of each. Exits 1 naming the file
 * and node path of the first problem. The flows directory is the argument,
 * else IVR_FLOWS_DIR, else ./ivr-flows. The check itself is src/ivr/check-flows.ts.
 */
import { checkFlows } from '../src/ivr/check-flows.js';

const dir = process.argv[2] ?? process.env.IVR_FLOWS_DIR ?? 'ivr-flows';

const result = checkFlows(dir);
if (!result.ok) {
  console.error(`invalid IVR flow: ${result.error}`);
  process.exit(1);
}
for (const f of result.flows) console.log(f.lines.join('\n') + '\n');
for (const w of result.warnings) console.log(`warning: ${w}`);
console.log(`${result.flows.length} flow(s) in ${dir}: OK`);
