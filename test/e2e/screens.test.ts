import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ingestInbound } from '../../src/core/conversations/ingest-inbound.js';
import type { InboundMessage } from '../../src/core/conversations/types.js';
import { eventually, HOTLINE, type AgentSocket } from '../helpers/harness.js';
import { chromiumAvailable, logIn, screenshot } from './browser.js';
import { browserSuite } from './browser-suite.js';

/**
 * A realistic shift on the desk (SMS, email with an attachment, Slack, a
 * voicemail, a crisis text waiting past its target) to check how each main
 * screen renders it; the screenshots in docs/screenshots come from here
 * (SCREENSHOTS=1).
 */
const PASSWORD = 'agent-password-1';
const e2e = browserSuite('e2e-screens', {
  env: {
    TWILIO_API_KEY: 'SK' + '1'.repeat(32),
    TWILIO_API_SECRET: 'test-api-secret-0123456789',
    TWILIO_TWIML_APP_SID: 'AP' + '2'.repeat(32),
  },
  page: { fakeDevice: true, timeout: 10_000 },
});
const { newPage } = e2e;
type Who = { id: string; token: string; email: string; sock: AgentSocket };
let dana: Who;
let lee: Who;
let sam: { id: string; token: string; email: string };
const ids: Record<string, string> = {};

const sid = (p: string) => p + randomBytes(8).toString('hex');

/** A contact writes in; the agent it is offered to accepts. */
async function arrives(msg: InboundMessage, opts: { accept?: boolean } = {}): Promise<string> {
  const r = await ingestInbound(e2e.app.sb.deps, msg);
  if (r.duplicate || !r.conversation) throw new Error('not ingested');
  const id = r.conversation.id;
  if (opts.accept === false) return id;
  const offer = await eventually<{ who: Who; o: any } | undefined>(() => {
    for (const who of [dana, lee]) {
      const o = who.sock.events.find((e) => e.event === 'reservation.created' && e.payload.conversationId === id)?.payload;
      if (o) return { who, o };
    }
    return undefined;
  });
  const ok = await e2e.app.api('POST', `/api/reservations/${offer.o.reservationId}/accept`, undefined, offer.who.token);
  expect(ok.status).toBe(200);
  return id;
}

beforeAll(async () => {
  if (!e2e.started) return;
  const app = e2e.app;
  await app.api('POST', '/api/inboxes', { kind: 'phone', address: HOTLINE, queue: 'donor' });
  const d = await app.agent({ name: 'Dana Reyes', queues: ['donor', 'volunteer'], capacity: { sms: 5, email: 5, slack: 3, voice: 1 } });
  dana = { ...d, sock: await app.socket(d.token) };
  const l = await app.agent({ name: 'Lee Chen', queues: ['volunteer'], available: false });
  lee = { ...l, sock: await app.socket(l.token) };
  await app
    .agent({ name: 'Kim Ortiz', queues: ['donor', 'partner'], available: false })
    .then((k) => app.api('PUT', '/api/me/status', { status: 'away' }, k.token));
  await app.agent({ name: 'Ravi Patel', queues: ['it', 'partner'], available: false });
  sam = await app.agent({ name: 'Sam Okafor', queues: ['donor', 'volunteer', 'crisis'], role: 'supervisor', available: false });

  // A donor who wrote last week: a resolved conversation for the contact panel's history.
  const donor = '+15551234567';
  const first = await arrives({
    channel: 'sms',
    externalId: sid('SM'),
    from: { kind: 'phone', value: donor },
    inboxAddress: HOTLINE,
    body: 'Can I get a receipt for my last donation?',
  });
  await app.api('POST', `/api/conversations/${first}/messages`, { body: 'Done — it is on its way to your inbox.' }, dana.token);
  await app.api('POST', `/api/conversations/${first}/resolve`, { disposition: 'info-provided' }, dana.token);

  ids.slack = await arrives({
    channel: 'slack',
    externalId: sid('C1:'),
    from: { kind: 'slack', value: 'U024BE7LH', name: 'Jordan Blake' },
    inboxAddress: 'D024BE91L',
    threadKey: sid('D024BE91L:'),
    queueHint: 'volunteer',
    body: 'Hey! Can I swap my Saturday food-bank shift for Sunday?',
  });
  ids.voicemail = await arrives({
    channel: 'voice',
    externalId: sid('RE'),
    from: { kind: 'phone', value: '+15557654321' },
    inboxAddress: HOTLINE,
    threadKey: sid('CA'),
    body: 'Voicemail (42 s)',
    media: [{ url: '/voicemail.mp3', contentType: 'audio/mpeg', name: 'voicemail.mp3' }],
    metadata: { kind: 'voicemail', durationSeconds: 42 },
  });
  await app.api(
    'POST',
    `/api/conversations/${ids.voicemail}/messages`,
    { body: 'Caller asks about the gala tickets — call back after 5pm.', internal: true },
    dana.token,
  );
  ids.email = await arrives({
    channel: 'email',
    externalId: `<${sid('m')}@mail.example.org>`,
    from: { kind: 'email', value: 'maria.lopez@example.org', name: 'Maria Lopez' },
    inboxAddress: 'donor@help.example.org',
    threadKey: sid('<t'),
    queueHint: 'donor',
    subject: 'Receipt for my October donation',
    body: 'Hello,\n\nI could not find the tax receipt for my October donation of $150. Could you send it again? I attached the bank statement line.\n\nThanks,\nMaria',
    media: [{ url: '/api/attachments/demo', contentType: 'application/pdf', name: 'bank-statement-october.pdf', size: 48_213 }],
  });
  await app.api(
    'POST',
    `/api/conversations/${ids.email}/messages`,
    { body: 'Hi Maria, thanks for your patience — I am looking into this now.' },
    dana.token,
  );
  ids.sms = await arrives({
    channel: 'sms',
    externalId: sid('SM'),
    from: { kind: 'phone', value: donor },
    inboxAddress: HOTLINE,
    body: "Hi! I'd like to raise my monthly gift from $25 to $40.",
  });
  await app.api(
    'POST',
    `/api/conversations/${ids.sms}/messages`,
    { body: 'Wonderful, thank you! I can do that for you right now.' },
    dana.token,
  );
  await arrives(
    {
      channel: 'sms',
      externalId: sid('SM'),
      from: { kind: 'phone', value: donor },
      inboxAddress: HOTLINE,
      body: 'Great, and can it start this month?',
    },
    { accept: false },
  );
  await app.api(
    'POST',
    `/api/conversations/${ids.sms}/messages`,
    { body: 'Confirmed $40/month starting this month', internal: true },
    dana.token,
  );

  // A crisis text nobody serving crisis is available for, waiting longer than its 20 s target.
  ids.crisis = await arrives(
    {
      channel: 'sms',
      externalId: sid('SM'),
      from: { kind: 'phone', value: '+15550001111' },
      inboxAddress: HOTLINE,
      queue: 'crisis',
      body: 'I need to talk to someone',
    },
    { accept: false },
  );
  await app.sb.deps.db.execute(
    sql`update conversations set queued_at = now() - interval '95 seconds', created_at = now() - interval '95 seconds' where id = ${ids.crisis}`,
  );
}, 120_000);
describe.runIf(chromiumAvailable())('the main screens with a realistic shift', () => {
  it('the desk: inbox across channels, an SMS thread with history, notes and a live unread marker', async () => {
    const page = await newPage();
    await logIn(page, e2e.app.url, dana.email, PASSWORD);
    const inbox = page.getByRole('list', { name: 'Conversations' });
    await expect.poll(() => inbox.getByTestId('conversation-item').count()).toBe(4);

    await inbox.getByTestId('conversation-item').filter({ hasText: '+15551234567' }).click();
    const timeline = page.getByRole('log', { name: 'Messages' });
    await timeline.getByText('Great, and can it start this month?').waitFor();
    await page.getByTestId('note').filter({ hasText: 'Confirmed $40/month' }).waitFor();
    const contact = page.getByRole('region', { name: 'Contact' });
    await contact.getByText('info-provided').waitFor();

    // Jordan writes again on Slack while Dana is on the SMS: an unread marker, live.
    await ingestInbound(e2e.app.sb.deps, {
      channel: 'slack',
      externalId: sid('C1:'),
      from: { kind: 'slack', value: 'U024BE7LH', name: 'Jordan Blake' },
      inboxAddress: 'D024BE91L',
      threadKey: (await e2e.app.sb.deps.db.query.conversations.findFirst({ where: (c, { eq }) => eq(c.id, ids.slack) }))!.threadKey,
      body: 'Sunday 10am works best for me.',
    });
    await inbox.getByTestId('conversation-item').filter({ hasText: 'Jordan Blake' }).getByLabel('1 unread').waitFor();
    await page.locator('#composer').fill('Perfect — I have updated your plan. You will get a confirmation by text.');
    await screenshot(page, 'desk', { docs: true });
  });

  it('the desk: an email with subject and attachment, and a voicemail', async () => {
    const page = await newPage();
    await logIn(page, e2e.app.url, dana.email, PASSWORD);
    await page.getByTestId('conversation-item').filter({ hasText: 'Maria Lopez' }).click();
    const timeline = page.getByRole('log', { name: 'Messages' });
    await timeline.locator('.msg-subject').filter({ hasText: 'Receipt for my October donation' }).waitFor();
    // The fixture's attachment has no stored file (test/e2e/files.test.ts opens real ones): listed by name, without a link.
    await timeline.getByRole('list', { name: 'Attachments' }).getByText('bank-statement-october.pdf').waitFor();
    await screenshot(page, 'desk-email', { docs: true });

    await page.getByTestId('conversation-item').filter({ hasText: '+15557654321' }).click();
    await timeline.getByText('Voicemail').first().waitFor();
    // One player for the one recording (the fixture's recording is not at Twilio, so no link is issued;
    // test/e2e/files.test.ts plays a real one).
    expect(await timeline.locator('.recording, .recording-pending').count()).toBe(1);
    await page.getByTestId('note').filter({ hasText: 'gala tickets' }).waitFor();

    // A new text comes in: the offer lands on top of the work in progress.
    await ingestInbound(e2e.app.sb.deps, {
      channel: 'sms',
      externalId: sid('SM'),
      from: { kind: 'phone', value: '+15552223333' },
      inboxAddress: HOTLINE,
      body: 'Is the thrift store open on Sunday?',
    });
    await page.getByTestId('offer').waitFor();
    await page.waitForTimeout(400); // let the toast finish sliding in
    await screenshot(page, 'desk-offer', { docs: true });
    await page.getByRole('button', { name: 'Decline' }).click();
  });

  it('the wallboard: queues with the crisis breach highlighted, agents, charts and open work', async () => {
    const page = await newPage();
    await logIn(page, e2e.app.url, sam.email, PASSWORD, '/wallboard');
    const crisis = page.getByTestId('queue-crisis');
    await expect.poll(() => crisis.getAttribute('class')).toContain('breach');
    expect(await crisis.getByText('SLA breach').count()).toBe(1);
    await expect.poll(() => page.getByTestId('agent-row').count()).toBeGreaterThanOrEqual(5);
    await page.locator('.recharts-bar-rectangle').first().waitFor();
    await screenshot(page, 'wallboard', { docs: true });

    // Reassign the waiting crisis text to Dana.
    await page
      .getByRole('region', { name: 'Open conversations' })
      .getByRole('row')
      .filter({ hasText: '+15550001111' })
      .getByRole('button', { name: 'Reassign' })
      .click();
    const dialog = page.getByRole('dialog', { name: 'Transfer conversation' });
    await dialog.getByLabel('Transfer to').selectOption({ label: 'Dana Reyes — Available' });
    await dialog.getByRole('button', { name: 'Transfer' }).click();
    await dana.sock.waitFor('reservation.created', (p) => p.conversationId === ids.crisis);
  });
});
