import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { contacts, conversations, csatSurveys } from '../../src/db/schema.js';
import { count, pct, score, seconds } from '../../src/web/screens/reports/figures.js';
import { todayIn } from '../../src/web/screens/reports/periods.js';
import { ADMIN } from '../helpers/harness.js';
import { chromiumAvailable, logIn, screenshot } from './browser.js';
import { axeViolations } from './axe.js';
import { browserSuite } from './browser-suite.js';

/**
 * The Reports screen in a browser (issue 13): a supervisor's organisation in New York, a week of
 * seeded conversations; the figures on screen are the API's, a row opens the conversations behind
 * it, both exports hand over the API's CSV, axe finds nothing serious, and the screen speaks Spanish.
 */
const TZ = 'America/New_York';
const e2e = browserSuite('e2e-reports', {
  env: { TZ },
  page: { viewport: { width: 1400, height: 900 }, context: { locale: 'en-US', bypassCSP: true, acceptDownloads: true } },
});
const { newPage } = e2e;
let ana: { id: string; token: string };
let bo: { id: string; token: string };

/** Noon in New York `daysAgo` days before today there (16:00 or 17:00 UTC), plus some seconds. */
function localNoon(daysAgo: number, plusSeconds = 0) {
  const day = new Date(Date.parse(`${todayIn(TZ)}T12:00:00Z`) - daysAgo * 86_400_000);
  // 17:00 UTC is noon in winter (EST), 13:00 in summer; either way the same New York day.
  return new Date(day.getTime() + 5 * 3600_000 + plusSeconds * 1000);
}

async function seed() {
  const db = e2e.app.sb.deps.db;
  const [contact] = await db.insert(contacts).values({ name: 'Report fixture' }).returning();
  let n = 0;
  const put = async (v: Partial<typeof conversations.$inferInsert> & { createdAt: Date }) => {
    const [row] = await db
      .insert(conversations)
      .values({
        contactId: contact.id,
        inboxAddress: '+15005550006',
        threadKey: `r${n++}`,
        channel: 'sms',
        queueKey: 'donor',
        queuedAt: v.createdAt,
        ...v,
      })
      .returning();
    return row.id;
  };
  // Six days of work for Ana (SMS, donor queue), answered in 20–70 s, replied and resolved; CSAT on some.
  for (let d = 1; d <= 6; d++) {
    const created = localNoon(d);
    const id = await put({
      createdAt: created,
      acceptedAt: localNoon(d, 10 * d + 10),
      firstReplyAt: localNoon(d, 60 * d),
      resolvedAt: localNoon(d, 1800 + 60 * d),
      status: 'resolved',
      assigneeId: ana.id,
      disposition: 'info-provided',
    });
    await db.insert(csatSurveys).values({
      conversationId: id,
      channel: 'sms',
      sentAt: localNoon(d, 1900),
      expiresAt: localNoon(d, 90000),
      ...(d % 2 ? { score: d % 3 === 0 ? 3 : 5, answeredAt: localNoon(d, 2000) } : {}),
    });
  }
  // Bo takes calls to IT on two days; one caller hangs up waiting; an email still open.
  for (const d of [2, 4]) {
    await put({
      channel: 'voice',
      queueKey: 'it',
      createdAt: localNoon(d, 600),
      acceptedAt: localNoon(d, 640),
      resolvedAt: localNoon(d, 1200),
      status: 'resolved',
      assigneeId: bo.id,
      metadata: { talkSeconds: 420, endedAt: localNoon(d, 1060).toISOString() },
    });
  }
  await put({ channel: 'voice', queueKey: 'it', createdAt: localNoon(3, 900), abandonedAt: localNoon(3, 990), status: 'abandoned' });
  await put({ channel: 'email', createdAt: localNoon(1, 300), acceptedAt: localNoon(1, 400), status: 'assigned', assigneeId: ana.id });
}

/** What the screen must show for a row of the API (figures.ts writes both). */
const expected = (r: any) => ({
  created: count(r.created, 'en'),
  answered: count(r.answered, 'en'),
  abandoned: count(r.abandoned, 'en'),
  serviceLevel: pct(r.serviceLevel, 'en'),
  avgSpeedOfAnswerSeconds: seconds(r.avgSpeedOfAnswerSeconds),
  medianFirstResponseSeconds: seconds(r.medianFirstResponseSeconds),
  p90FirstResponseSeconds: seconds(r.p90FirstResponseSeconds),
  avgHandleSeconds: seconds(r.avgHandleSeconds),
  medianResolutionSeconds: seconds(r.medianResolutionSeconds),
  csatAverage: score(r.csatAverage, 'en'),
  csatResponseRate: pct(r.csatResponseRate, 'en'),
});

async function rowCells(page: Page, key: string): Promise<Record<string, string>> {
  return page
    .getByTestId('report-table')
    .locator(`tr[data-key="${key}"]`)
    .evaluate((tr) => Object.fromEntries(Array.from(tr.querySelectorAll('td')).map((td) => [td.dataset.col!, td.textContent.trim()])));
}

beforeAll(async () => {
  if (!e2e.started) return;
  ana = await e2e.app.agent({ name: 'Ana Figures', queues: ['donor'], available: false });
  bo = await e2e.app.agent({ name: 'Bo Figures', queues: ['it'], available: false });
  await seed();
}, 180_000);

describe.runIf(chromiumAvailable())('the Reports screen', () => {
  it("shows the API's figures for the last 7 days, drills down to an agent's conversations and exports both CSVs", async () => {
    const page = await newPage();
    await logIn(page, e2e.app.url, ADMIN.email, ADMIN.password, '/reports');
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    await page.getByTestId('report-timezone').filter({ hasText: TZ }).waitFor();
    const today = todayIn(TZ);
    const from = new Date(Date.parse(`${today}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
    expect(await page.getByLabel('From', { exact: true }).inputValue()).toBe(from);
    expect(await page.getByLabel('To', { exact: true }).inputValue()).toBe(today);

    // Totals and every day's row, as the API computes them.
    const byDay = (await e2e.app.api('GET', `/api/reports/summary?from=${from}&to=${today}&groupBy=day`)).body;
    expect(byDay.total.created).toBe(10);
    await page.getByTestId('total-created').filter({ hasText: /^10$/ }).waitFor();
    const totals = expected(byDay.total);
    for (const id of [
      'created',
      'answered',
      'abandoned',
      'serviceLevel',
      'avgSpeedOfAnswerSeconds',
      'medianFirstResponseSeconds',
      'avgHandleSeconds',
      'csatAverage',
    ] as const)
      expect(await page.getByTestId(`total-${id}`).textContent(), id).toBe(totals[id]);
    expect(byDay.rows).toHaveLength(7);
    for (const row of byDay.rows) expect(await rowCells(page, row.key), row.key).toMatchObject(expected(row));
    expect(await rowCells(page, 'total')).toMatchObject(expected(byDay.total));
    await page.locator('.recharts-surface').first().waitFor(); // the lazy chart arrived
    expect((await axeViolations(page)).join('\n')).toBe('');
    await screenshot(page, 'reports', { docs: true });

    // Per agent, then Ana's conversations.
    await page.getByLabel('Group by', { exact: true }).selectOption('agent');
    await page.getByTestId('report-table').locator(`tr[data-key="${ana.id}"]`).waitFor();
    const byAgent = (await e2e.app.api('GET', `/api/reports/summary?from=${from}&to=${today}&groupBy=agent`)).body.rows;
    for (const row of byAgent) expect(await rowCells(page, row.key ?? ''), row.label).toMatchObject(expected(row));
    const anaRow = byAgent.find((r: any) => r.key === ana.id);
    expect(anaRow).toMatchObject({ created: 7, csatResponses: 3, csatSent: 6 });
    await page.getByRole('button', { name: 'Ana Figures: show its 7 conversations' }).click();
    const drill = page.getByTestId('drill-down');
    await drill.getByTestId('drill-count').filter({ hasText: 'Showing 7 of 7 conversations' }).waitFor();
    const list = (await e2e.app.api('GET', `/api/reports/conversations?from=${from}&to=${today}&agentId=${ana.id}&format=json`)).body;
    expect(list.total).toBe(7);
    const shown = await drill.locator('tbody th').allTextContents();
    expect(shown).toEqual(list.conversations.map((c: any) => `#${c.number}`));
    expect((await axeViolations(page)).join('\n')).toBe('');
    await screenshot(page, 'reports-drill-down', { docs: true });

    // Exports: the files are the API's CSV, byte for byte.
    const auth = { headers: { authorization: `Bearer ${e2e.app.adminToken}` } };
    const [reportFile] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export report (CSV)' }).click(),
    ]);
    expect(reportFile.suggestedFilename()).toBe(`switchboard-agent-${from}-${today}.csv`);
    const apiReport = await (
      await fetch(`${e2e.app.url}/api/reports/summary?from=${from}&to=${today}&groupBy=agent&format=csv`, auth)
    ).text();
    expect(readFileSync(await reportFile.path(), 'utf8')).toBe(apiReport);
    const [listFile] = await Promise.all([
      page.waitForEvent('download'),
      drill.getByRole('button', { name: 'Export these (CSV)' }).click(),
    ]);
    const csv = readFileSync(await listFile.path(), 'utf8')
      .trim()
      .split('\r\n');
    expect(csv).toHaveLength(1 + 7);
    expect(csv.slice(1).every((l) => l.includes(',Ana Figures,'))).toBe(true);
    const audit = (await e2e.app.api('GET', '/api/audit?action=report.export')).body.entries;
    expect(audit.length).toBeGreaterThanOrEqual(3); // two from the screen, one from this test's own fetch

    // A conversation in the list opens in the desk.
    await drill.getByRole('button', { name: `Open conversation #${list.conversations[0].number}` }).click();
    await page.waitForURL(`${e2e.app.url}/`);
  }, 180_000);

  it('narrows to a queue, keeps custom days, and speaks Spanish', async () => {
    const page = await newPage();
    await logIn(page, e2e.app.url, ADMIN.email, ADMIN.password, '/reports');
    await page.getByLabel('Language').selectOption('es');
    await page.getByRole('heading', { name: 'Informes', level: 1 }).waitFor();
    await page.getByLabel('Agrupar por', { exact: true }).selectOption('channel');
    await page.getByLabel('Cola', { exact: true }).selectOption('it');
    const today = todayIn(TZ);
    const from = new Date(Date.parse(`${today}T00:00:00Z`) - 4 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('Desde', { exact: true }).fill(from);
    expect(await page.getByLabel('Periodo', { exact: true }).inputValue()).toBe('custom');
    const api = (await e2e.app.api('GET', `/api/reports/summary?from=${from}&to=${today}&groupBy=channel&queue=it`)).body;
    expect(api.rows.map((r: any) => [r.key, r.created])).toEqual([['voice', 3]]);
    await page.getByTestId('total-created').filter({ hasText: /^3$/ }).waitFor();
    expect(await rowCells(page, 'voice')).toMatchObject({
      created: '3',
      abandoned: '1',
      serviceLevel: count(api.rows[0].serviceLevel, 'es') + '%',
    });
    expect((await axeViolations(page)).join('\n')).toBe('');
    await screenshot(page, 'reports-es', { docs: true });
  }, 120_000);
});
