import { desc, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { contactIdentities, conversations } from '../../src/db/schema.js';
import { eventually, randomPhone } from '../helpers/harness.js';
import { chromiumAvailable, logIn, screenshot } from './browser.js';
import { browserSuite } from './browser-suite.js';

/**
 * Crisis and incidents in the browser (issue 12): a crisis text raises the banner on a
 * supervisor's wallboard; the supervisor declares an incident, links conversations (from the
 * incident screen and from the conversation view), an agent's desk on another web process shows
 * the incident live, and resolving it clears every banner; several similar contacts propose an
 * incident. Real server, Postgres, Redis, Socket.IO and Chromium.
 */
const PASSWORD = 'agent-password-1';
let web2Url: string;
let sam: { id: string; token: string; email: string };
let dana: { id: string; token: string; email: string };
/** Console messages about audio: the crisis tone must never trip the browser's autoplay policy. */
const audioComplaints: string[] = [];
const e2e = browserSuite('e2e-crisis', {
  page: {
    viewport: { width: 1280, height: 760 },
    onPage: (page) =>
      page.on('console', (m) => {
        if (/audio|autoplay/i.test(m.text()) && (m.type() === 'error' || m.type() === 'warning')) audioComplaints.push(m.text());
      }),
  },
});
const { newPage } = e2e;

/** The newest conversation of the contact with this phone number. */
async function conversationNumber(phone: string): Promise<{ id: string; number: number }> {
  return eventually(async () => {
    const [row] = await e2e.app.sb.deps.db
      .select({ id: conversations.id, number: conversations.number })
      .from(conversations)
      .innerJoin(contactIdentities, eq(contactIdentities.contactId, conversations.contactId))
      .where(eq(contactIdentities.value, phone))
      .orderBy(desc(conversations.createdAt))
      .limit(1);
    return row;
  });
}

beforeAll(async () => {
  if (!e2e.started) return;
  const app = e2e.app;
  // A second web process: the agent's desk connects there, the supervisor's to the first.
  const web2 = await app.extraProcess({ ROLE: 'web' });
  web2Url = `http://127.0.0.1:${web2.port}`;
  sam = await app.agent({ name: 'Sam Okafor', queues: ['donor', 'volunteer', 'crisis'], role: 'supervisor', available: false });
  // Nobody takes work: conversations wait in their queues for the screens to show.
  dana = await app.agent({ name: 'Dana Reyes', queues: ['donor'], available: false });
}, 120_000);

describe.runIf(chromiumAvailable())('crisis and incidents in the desk', () => {
  it('a crisis text raises the banner on the wallboard; an incident is declared, linked, shown everywhere and closed', async () => {
    const sup = await newPage();
    await logIn(sup, e2e.app.url, sam.email, PASSWORD, '/wallboard');
    await sup.getByRole('main', { name: 'Supervisor wallboard' }).waitFor();
    const agent = await newPage();
    await logIn(agent, web2Url, dana.email, PASSWORD);
    // The person has used the page: the tone may sound (and must not raise an autoplay error).
    await sup.mouse.click(5, 300);

    // A crisis text: the banner shows level, channel, number, and opens the conversation.
    const crisisPhone = randomPhone();
    await e2e.app.sms(crisisPhone, 'I cannot do this anymore. I have 30 pills saved and I am going to take them tonight');
    const banner = sup.getByTestId('crisis-banner');
    await banner.waitFor();
    const crisis = await eventually(async () => {
      const r = await e2e.app.api('GET', '/api/crisis/conversations', undefined, sam.token);
      return r.body.conversations[0] as { conversationId: string; number: number; level: string } | undefined;
    });
    expect(crisis.level).toBe('high');
    await expect.poll(() => banner.innerText()).toContain(`SMS #${crisis.number}`);
    expect(await banner.innerText()).toContain('Crisis — high risk');
    expect(await banner.innerText()).toContain('self-harm');
    // An agent who does not have it sees no crisis banner.
    expect(await agent.getByTestId('crisis-banner').count()).toBe(0);
    await screenshot(sup, 'crisis-banner', { docs: true });

    // The sound choice stays on this e2e.browser.
    const sound = sup.getByLabel('Sound for crisis alerts');
    expect(await sound.isChecked()).toBe(true);
    await sound.uncheck();
    expect(await sup.evaluate(() => localStorage.getItem('switchboard.crisisSound'))).toBe('off');
    await sound.check();

    await banner.getByRole('button', { name: `Open #${crisis.number}` }).click();
    await sup.waitForURL((u) => u.pathname === '/');
    await sup.getByTestId('risk-flag').filter({ hasText: 'Crisis — high risk' }).waitFor();
    await banner.getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => sup.getByTestId('crisis-banner').count()).toBe(0);

    // A donor wrote before anyone declared anything.
    const early = randomPhone();
    await e2e.app.sms(early, 'Hi, your donation page gives me an error when I try to donate');
    const earlyConv = await conversationNumber(early);

    // The supervisor declares the incident on the incident screen.
    await sup.getByRole('button', { name: 'Incidents' }).click();
    await sup.waitForURL((u) => u.pathname === '/incidents');
    const declare = sup.getByRole('form', { name: 'Declare' });
    await declare.getByLabel('Title (the words contacts will use)').fill('Donation page down');
    await declare
      .getByLabel('What callers and texters are told (English)')
      .fill('Our donation page is down; we are fixing it. You were not charged.');
    await declare.getByLabel('In Spanish (optional)').fill('Nuestra página de donaciones no funciona; la estamos arreglando.');
    await declare.getByLabel('donor').check();
    await declare.getByRole('button', { name: 'Declare' }).click();
    const card = sup.getByTestId('incident-card').filter({ hasText: 'Donation page down' });
    await card.waitFor();

    // Every desk shows it at once, also one connected to the other web process.
    await agent.getByTestId('incident-banner').filter({ hasText: 'Incident: Donation page down' }).waitFor();
    await sup.getByTestId('incident-banner').filter({ hasText: 'Donation page down' }).waitFor();

    // The early donor is suggested; one click links them.
    await card.getByRole('button', { name: `Link #${earlyConv.number}` }).click();
    await card.getByRole('button', { name: `Unlink #${earlyConv.number}` }).waitFor();
    await agent.getByTestId('incident-banner').filter({ hasText: '1 conversation linked' }).waitFor();

    // Another donor writes; the agent links from the conversation view.
    const later = randomPhone();
    await e2e.app.sms(later, 'is the donation page down? it will not load');
    const laterConv = await conversationNumber(later);
    await agent.goto(`${web2Url}/`);
    await agent.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
    await agent.getByRole('tab', { name: 'My queues' }).click();
    await agent
      .getByTestId('conversation-item')
      .filter({ hasText: `#${laterConv.number}` })
      .click();
    await agent.getByRole('button', { name: 'Link to incident “Donation page down”' }).click();
    await agent.getByText('Incident: Donation page down', { exact: true }).waitFor();
    await card.getByText(`#${laterConv.number}`, { exact: true }).waitFor();
    await screenshot(agent, 'desk-incident-link', { docs: true });
    await screenshot(sup, 'incidents', { docs: true });

    // The supervisor corrects the public message; the banners follow.
    await card.getByRole('button', { name: 'Edit' }).click();
    await card.getByLabel('What callers and texters are told (English)').fill('Donations are down until 3pm; you were not charged.');
    await card.getByRole('button', { name: 'Save changes' }).click();
    await agent.getByTestId('incident-banner').filter({ hasText: 'Donations are down until 3pm' }).waitFor();

    // The wallboard shows the incident banner too.
    await sup.getByRole('button', { name: 'Wallboard' }).click();
    await sup.getByRole('main', { name: 'Supervisor wallboard' }).waitFor();
    await sup.getByTestId('incident-banner').filter({ hasText: 'Donation page down' }).waitFor();
    await screenshot(sup, 'wallboard-incident', { docs: true });

    // Resolved: both linked donors are told, and every banner goes.
    await sup.getByTestId('incident-banner').getByRole('button', { name: 'Manage' }).click();
    await card.getByRole('button', { name: 'Resolve' }).click();
    await card.getByLabel('Resolution message (English, optional)').fill('Our donation page works again. Thank you for your patience!');
    await card.getByRole('button', { name: 'Resolve and tell linked contacts' }).click();
    await expect.poll(() => agent.getByTestId('incident-banner').count()).toBe(0);
    await expect.poll(() => sup.getByTestId('incident-banner').count()).toBe(0);
    await sup.getByRole('region', { name: 'Resolved' }).getByText('Donation page down').waitFor();
    await eventually(() =>
      [early, later].every((to) => e2e.app.twilio.messages().some((m) => m.To === to && /works again/.test(String(m.Body)))),
    );
  }, 240_000);

  it('several similar contacts propose an incident to supervisors, declared with them linked', async () => {
    const sup = await newPage();
    await logIn(sup, e2e.app.url, sam.email, PASSWORD, '/wallboard');
    const agent = await newPage();
    await logIn(agent, web2Url, dana.email, PASSWORD);
    const phones = [randomPhone(), randomPhone(), randomPhone(), randomPhone()];
    const bodies = [
      'The volunteer portal login is broken',
      "can't log in to the volunteer portal",
      'volunteer portal says my login is wrong',
      'Is the volunteer portal down? login fails',
    ];
    for (const [i, phone] of phones.entries()) await e2e.app.sms(phone, bodies[i]);
    const proposal = sup.getByTestId('proposal-banner');
    await proposal.filter({ hasText: '4 similar contacts' }).waitFor();
    expect(await proposal.innerText()).toMatch(/volunteer/);
    expect(await agent.getByTestId('proposal-banner').count()).toBe(0);
    await screenshot(sup, 'incident-proposal', { docs: true });

    await proposal.getByRole('button', { name: 'Declare an incident' }).click();
    await sup.waitForURL((u) => u.pathname === '/incidents');
    const declare = sup.getByRole('form', { name: 'Declare' });
    expect(await declare.getByLabel('Title (the words contacts will use)').inputValue()).toMatch(/volunteer/);
    await declare.getByLabel('Title (the words contacts will use)').fill('Volunteer portal login down');
    await declare.getByLabel('What callers and texters are told (English)').fill('The volunteer portal is down; shifts are unchanged.');
    await declare.getByRole('button', { name: 'Declare' }).click();
    const card = sup.getByTestId('incident-card').filter({ hasText: 'Volunteer portal login down' });
    await card.getByText('Linked (4)').waitFor();
    await expect.poll(() => sup.getByTestId('proposal-banner').count()).toBe(0);
    await e2e.app.api(
      'POST',
      `/api/incidents/${(await e2e.app.api('GET', '/api/incidents?status=open', undefined, sam.token)).body.incidents[0].id}/resolve`,
      {},
      sam.token,
    );
    expect(audioComplaints).toEqual([]);
  }, 240_000);
});
