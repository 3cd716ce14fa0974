import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFlows } from '../src/ivr/check-flows.js';
import { startTestApp, type TestApp } from './helpers/harness.js';

/** The IVR flows, read-only, for the admin screen (issue 11): the same check `npm run ivr:check` runs. */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('admin-ivr-flows');
});
afterAll(async () => {
  await app?.stop();
});

describe('GET /api/ivr-flows', () => {
  it('answers each flow as a tree with digits leading to the next node, and the check’s warnings', async () => {
    const r = await app.api('GET', '/api/ivr-flows');
    expect(r.status).toBe(200);
    expect(r.body.ok).toBe(true);
    // The same check as the script's, against the real queues (names and callbackOrder).
    const queues = (await app.api('GET', '/api/queues')).body.queues;
    expect(r.body).toEqual({ ...checkFlows(app.config.ivrFlowsDir, queues), ok: true });
    const main = r.body.flows.find((f: any) => f.name === 'main');
    expect(main.tree.label).toBe('start');
    const labels: string[] = [];
    const walk = (n: any) => {
      labels.push(n.label);
      n.next.forEach(walk);
    };
    walk(main.tree);
    expect(labels.some((l) => /^press \d/.test(l))).toBe(true);
  });

  it('agents may not read them', async () => {
    const agent = await app.agent({ name: 'Ivy Agent', available: false });
    expect((await app.api('GET', '/api/ivr-flows', undefined, agent.token)).status).toBe(403);
  });

  it('an unreached node is a warning; an invalid flow is reported, not thrown', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ivr-'));
    writeFileSync(
      join(dir, 'main.yaml'),
      'start: hello\nnodes:\n  hello: { type: say, text: Hi, next: bye }\n  bye: { type: hangup }\n  lost: { type: hangup }\n',
    );
    const good = checkFlows(dir);
    expect(good.warnings).toEqual(['main: node lost is never reached']);
    writeFileSync(join(dir, 'bad.yaml'), 'start: nowhere\nnodes: {}\n');
    const bad = checkFlows(dir);
    expect(bad.ok).toBe(false);
  });
});
