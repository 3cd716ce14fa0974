import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };
/**
 * The serious and critical WCAG 2.1 A/AA violations axe-core finds on the page once its entry animations end.
 * axe-core is injected as a script: open the page's context with `bypassCSP: true`.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  // Entry animations first (the offer toast fades in over 0.18 s): the colours of an element
  // half faded in are no colours a reader sees. Endless ones (a pulsing dot) are left running.
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => a.effect?.getComputedTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
  await page.addScriptTag({ content: AXE });
  const violations = (await page.evaluate(() =>
    (window as any).axe
      .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
      .then((r: any) => r.violations),
  )) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
