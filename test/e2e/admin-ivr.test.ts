import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN } from '../helpers/harness.js';
import { axeViolations } from './axe.js';
import { chromiumAvailable, logIn, screenshot } from './browser.js';
import { browserSuite } from './browser-suite.js';

/**
 * The IVR flows tab of `/admin` (issue 11) in Debian's Chromium: each flow as a tree of steps with
 * the `npm run ivr:check` result (a warning next to its flow, an invalid file as an alert), for
 * admins and supervisors alike; axe-core finds no serious or critical violation.
 */
let flowsDir: string;

/** The shipped flows, and one with a step no caller can reach (a check warning). */
function flowsWithAWarning() {
  flowsDir = mkdtempSync(join(tmpdir(), 'e2e-ivr-'));
  cpSync('ivr-flows', flowsDir, { recursive: true });
  writeFileSync(
    join(flowsDir, 'after-hours.yaml'),
    [
      'description: After-hours line',
      'start: closed',
      'nodes:',
      '  closed: { type: say, text: "We are closed. Please call again tomorrow.", next: bye }',
      '  bye: { type: hangup }',
      '  old-menu: { type: hangup }',
      '',
    ].join('\n'),
  );
  return { IVR_FLOWS_DIR: flowsDir };
}

const e2e = browserSuite('e2e-admin-ivr', {
  env: flowsWithAWarning,
  page: { viewport: { width: 1280, height: 900 }, context: { locale: 'en-US', bypassCSP: true } },
});
const { newPage } = e2e;
afterAll(() => {
  if (flowsDir) rmSync(flowsDir, { recursive: true, force: true });
});

describe.runIf(chromiumAvailable())('IVR flows in /admin', () => {
  it('shows every flow as a tree of steps with the check result, and an invalid file as an alert', async () => {
    const page = await newPage();
    await logIn(page, e2e.app.url, ADMIN.email, ADMIN.password, '/admin/ivr');
    await page.getByRole('link', { name: 'IVR flows' }).and(page.locator('[aria-current="page"]')).waitFor();

    const check = page.getByTestId('ivr-check');
    await expect.poll(() => check.textContent()).toBe('All 3 flows pass the check. 1 warning.');

    // The main hotline: the start, the language choice, a digit leading to a queue.
    const main = page.getByRole('article', { name: /^main/ });
    const steps = main.getByRole('list', { name: 'Steps of main' });
    await steps.getByTestId('ivr-step').first().waitFor();
    expect(await steps.getByTestId('ivr-step').first().textContent()).toBe('start → language language: 1=en, 2=es (default en)');
    expect(
      await steps
        .getByTestId('ivr-step')
        .filter({ hasText: /^press 1 / })
        .count(),
    ).toBeGreaterThan(0);
    expect(
      await steps
        .getByTestId('ivr-step')
        .filter({ hasText: /queue donor/ })
        .count(),
    ).toBeGreaterThan(0);
    // Its warnings are none; the new flow's unreached step is listed with it.
    await expect(main.getByRole('list', { name: 'Warnings for main' }).count()).resolves.toBe(0);
    const late = page.getByRole('article', { name: /^after-hours/ });
    expect(await late.getByRole('list', { name: 'Warnings for after-hours' }).textContent()).toBe('node old-menu is never reached');
    expect(await late.getByTestId('ivr-step').allTextContents()).toEqual([
      'start → closed say "We are closed. Please call again tomorrow."',
      'then → bye hang up',
    ]);
    // The plain outline is the script's.
    await late.getByText('Plain outline').click();
    expect(await late.locator('pre').textContent()).toContain('after-hours — After-hours line');

    await late.getByText('Plain outline').click();
    await page.setViewportSize({ width: 1280, height: 1500 });
    await screenshot(page, 'admin-ivr', { docs: true });
    expect(await axeViolations(page)).toEqual([]);

    // A broken file: the screen says which, instead of a tree that is no longer true.
    writeFileSync(join(flowsDir, 'broken.yaml'), 'start: nowhere\nnodes: {}\n');
    await page.reload();
    const alert = page.getByTestId('ivr-check');
    await expect.poll(() => alert.getAttribute('role')).toBe('alert');
    expect(await alert.textContent()).toMatch(/^A flow is invalid; calls that use it will fail: .*broken/);
    expect(await page.getByTestId('ivr-flow').count()).toBe(0);
    rmSync(join(flowsDir, 'broken.yaml'));
  }, 120_000);

  it('supervisors see the IVR flows too, but not the admin-only sections', async () => {
    const sup = await e2e.app.agent({ name: 'Sam Supervisor', role: 'supervisor', available: false });
    const page = await newPage();
    await logIn(page, e2e.app.url, sup.email, 'agent-password-1', '/admin/ivr');
    const tabs = page.getByRole('navigation', { name: 'Administration sections' }).getByRole('link');
    // The admin screen loads on demand: wait for it before reading its tabs.
    await tabs.first().waitFor();
    expect(await tabs.allTextContents()).toEqual(['Canned responses', 'Dispositions', 'IVR flows']);
    await page.getByTestId('ivr-flow').first().waitFor();
    expect(await page.getByTestId('ivr-flow').count()).toBe(3);
  }, 60_000);
});
