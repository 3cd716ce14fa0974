import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestCallback } from '../src/core/calls/request-callback.js';
import { localTime } from '../src/core/business-hours.js';
import { spokenHours } from '../src/core/spoken-hours.js';
import { contactIdentities, contacts, conversations } from '../src/db/schema.js';
import { checkFlows } from '../src/ivr/check-flows.js';
import { eventually as eventuallyMaybe, HOTLINE, startTestApp, type TestApp } from './helpers/harness.js';
import { callSid, dialablePhone, first, simulateCall, spoken } from './voice-helpers.js';

/**
 * Issue 21 item 7 (the closed message says the queue's real hours, in the caller's language),
 * the queue's `callbackOrder` (issue 21 item 1: "unless the queue says otherwise"), and the IVR
 * language choice kept on the contact (issue 10). Calls walk the shipped flows through signed webhooks.
 */
const eventually = async <T>(fn: () => T | Promise<T>) => (await eventuallyMaybe(fn)) as NonNullable<T>;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('voice-hours-callbacks', { VOICE_RESERVATION_TIMEOUT_SECONDS: '30' });
  expect((await app.api('POST', '/api/inboxes', { kind: 'phone', address: HOTLINE, queue: 'donor' })).status).toBe(201);
});
afterAll(async () => {
  await app?.stop();
});

const db = () => app.sb.deps.db;
const convOfCall = async (sid: string) => (await db().select().from(conversations).where(eq(conversations.threadKey, sid)))[0];
const contactOf = async (phone: string) => {
  const [row] = await db()
    .select({ c: contacts })
    .from(contactIdentities)
    .innerJoin(contacts, eq(contacts.id, contactIdentities.contactId))
    .where(eq(contactIdentities.value, phone));
  return row?.c;
};

/** Today and tomorrow in New York are holidays: the donor line is closed whatever the clock says. */
function closedHours(open: { day: number; from: string; to: string }[]) {
  const today = localTime(new Date(), 'America/New_York').date;
  const tomorrow = localTime(new Date(Date.now() + 86_400_000), 'America/New_York').date;
  return { timezone: 'America/New_York', open, holidays: [today, tomorrow] };
}
const weekdays = (from: string, to: string) => [1, 2, 3, 4, 5].map((day) => ({ day, from, to }));

describe('the closed message says the queue’s real hours', () => {
  afterAll(async () => {
    await app.api('PATCH', '/api/queues/donor', { businessHours: null });
  });

  it('in English and in Spanish, from the hours an admin set, and follows a change at once', async () => {
    const hours = closedHours([...weekdays('09:00', '17:00'), { day: 6, from: '10:00', to: '14:00' }]);
    expect((await app.api('PATCH', '/api/queues/donor', { businessHours: hours })).status).toBe(200);

    const en = simulateCall(app, { from: dialablePhone(), to: HOTLINE });
    const closedEn = await en.press(await en.ring(), '1');
    expect(spoken(closedEn)).toMatch(
      /^Our office is closed right now\. Our hours are Monday to Friday, 9 AM to 5 PM; and Saturday, 10 AM to 2 PM, Eastern Time\. To leave a voicemail/,
    );
    expect(first(closedEn, 'Say').attrs.language).toBe('en-US');

    const es = simulateCall(app, { from: dialablePhone(), to: HOTLINE });
    const closedEs = await es.press(await es.ring(), '2');
    expect(spoken(closedEs)).toMatch(
      /^Nuestra oficina está cerrada\. Nuestro horario es de lunes a viernes, de 9 a\.m\. a 5 p\.m\.; y sábado, de 10 a\.m\. a 2 p\.m\., hora oriental\. Para dejar un mensaje/,
    );
    expect(first(closedEs, 'Say').attrs.language).toBe('es-MX');
    expect(spoken(closedEs)).not.toMatch(/Monday|AM|PM/);

    // An admin moves the hours: the next caller hears the new ones (no flow file to edit).
    await app.api('PATCH', '/api/queues/donor', { businessHours: closedHours(weekdays('08:30', '16:00')) });
    const later = simulateCall(app, { from: dialablePhone(), to: HOTLINE });
    expect(spoken(await later.press(await later.ring(), '1'))).toContain('Our hours are Monday to Friday, 8:30 AM to 4 PM, Eastern Time.');
  });

  it('spoken hours: ranges, single days, split days, midnight and no hours at all', () => {
    const tz = 'America/Los_Angeles';
    const split = [1, 3, 5].flatMap((day) => [
      { day, from: '09:00', to: '12:00' },
      { day, from: '13:00', to: '17:00' },
    ]);
    expect(spokenHours({ timezone: tz, open: split }, 'en')).toBe(
      'Monday, Wednesday, and Friday, 9 AM to 12 PM and 1 PM to 5 PM, Pacific Time',
    );
    expect(spokenHours({ timezone: tz, open: split }, 'es')).toBe(
      'lunes, miércoles y viernes, de 9 a.m. a 12 p.m. y de 1 p.m. a 5 p.m., hora del Pacífico',
    );
    expect(spokenHours({ timezone: tz, open: [{ day: 0, from: '18:00', to: '24:00' }] }, 'en')).toBe(
      'Sunday, 6 PM to midnight, Pacific Time',
    );
    const always = [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, from: '00:00', to: '24:00' }));
    expect(spokenHours({ timezone: tz, open: always }, 'es')).toBe('todos los días, a cualquier hora');
    expect(spokenHours(null, 'en')).toBe('every day, at any time');
    expect(spokenHours({ timezone: tz, open: [] }, 'en')).toBe('no regular opening hours');
  });
});

describe('callbacks against live callers: the queue’s callbackOrder', () => {
  /** A callback left by someone no longer on the line. */
  const leaveCallback = (queue: string) => {
    const from = dialablePhone();
    return requestCallback(app.sb.deps, {
      callSid: callSid(),
      from,
      to: HOTLINE,
      flow: 'main',
      lang: 'en',
      number: from,
      queue,
      priorityBoost: 0,
    });
  };
  /** A caller on the line in the partner queue (menu key 3). */
  const liveCaller = async () => {
    const call = simulateCall(app, { from: dialablePhone(), to: HOTLINE });
    await call.press(await call.press(await call.ring(), '1'), '3');
    return { call, conversation: await eventually(() => convOfCall(call.sid)) };
  };
  /** An agent signs in to the partner queue; which conversation is offered first. */
  const firstOffer = async (name: string) => {
    const agent = await app.agent({ name, queues: ['partner'] });
    const sock = await app.socket(agent.token);
    const offer = await sock.waitFor('reservation.created');
    await app.api('PUT', '/api/me/status', { status: 'away' }, agent.token);
    await app.api('POST', `/api/reservations/${offer.reservationId}/reject`, {}, agent.token);
    return offer.conversationId as string;
  };
  const clearPartner = () =>
    db().update(conversations).set({ status: 'resolved', resolvedAt: new Date() }).where(eq(conversations.queueKey, 'partner'));

  it('is afterLive by default, shown by GET /api/queues; a wrong value is a 400', async () => {
    const q = (await app.api('GET', '/api/queues')).body.queues.find((x: { key: string }) => x.key === 'partner');
    expect(q.callbackOrder).toBe('afterLive');
    const bad = await app.api('PATCH', '/api/queues/partner', { callbackOrder: 'whenever' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/callbackOrder/);
  });

  it('"first": a callback left after a live caller started waiting is offered before them', async () => {
    await clearPartner();
    expect((await app.api('PATCH', '/api/queues/partner', { callbackOrder: 'first' })).status).toBe(200);
    const live = await liveCaller();
    const cb = await leaveCallback('partner');
    expect(await firstOffer('Fay First')).toBe(cb.conversationId);
    await live.call.status('completed');
  });

  it('"arrival": the older of a callback and a live caller goes first; "afterLive" puts the caller on the line first', async () => {
    await clearPartner();
    expect((await app.api('PATCH', '/api/queues/partner', { callbackOrder: 'arrival' })).status).toBe(200);
    const cb = await leaveCallback('partner');
    const live = await liveCaller();
    expect(await firstOffer('Ari Arrival')).toBe(cb.conversationId);
    await live.call.status('completed');

    await clearPartner();
    expect((await app.api('PATCH', '/api/queues/partner', { callbackOrder: 'afterLive' })).status).toBe(200);
    await leaveCallback('partner');
    const live2 = await liveCaller();
    expect(await firstOffer('Al Afterlive')).toBe(live2.conversation.id);
    await live2.call.status('completed');
  });

  it('ivr:check and GET /api/ivr-flows know the order: a node priority that undoes it is a warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ivr-order-'));
    writeFileSync(
      join(dir, 'main.yaml'),
      [
        'start: menu',
        'nodes:',
        '  menu:',
        '    type: gather',
        '    prompt: For the shop, press 1. To request a call back, press 2.',
        '    choices: { "1": { next: shop, speech: [shop] }, "2": { next: cb, speech: [request a call back, call back] } }',
        '    fallback: shop',
        '  shop: { type: enqueue, queue: donor }',
        '  cb: { type: callback, queue: donor, priority: 2 }',
      ].join('\n'),
    );
    const assumed = checkFlows(dir);
    expect(assumed.warnings).toEqual([
      "main: node cb (callback, priority 2) waits ahead of the live callers of node shop (priority 0), though queue donor by default puts callbacks behind live callers of the same priority; set the queue's callbackOrder instead of node priorities",
    ]);
    expect(assumed.ok && assumed.flows[0].lines.join('\n')).toContain(
      "cb: callback request → queue donor (priority +2); waits behind live callers of the same priority unless the queue's callbackOrder says otherwise",
    );
    // The queue itself says "first": the node agrees with it, nothing to warn about.
    const told = checkFlows(dir, [{ key: 'donor', callbackOrder: 'first' }]);
    expect(told.warnings).toEqual([]);
    expect(told.ok && told.flows[0].lines.join('\n')).toContain('waits ahead of live callers of the same priority');

    // The admin API checks against the real queues.
    await app.api('PATCH', '/api/queues/partner', { callbackOrder: 'first' });
    const r = await app.api('GET', '/api/ivr-flows');
    const main = r.body.flows.find((f: { name: string }) => f.name === 'main');
    expect(main.lines.join('\n')).toContain('callback request → queue donor; waits behind live callers of the same priority\n');
    await app.api('PATCH', '/api/queues/partner', { callbackOrder: 'afterLive' });
  });

  it('ivr:check warns about hours spelled out in a prompt and about {hours:…} of a queue that does not exist', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ivr-hours-'));
    writeFileSync(
      join(dir, 'main.yaml'),
      [
        'start: closed',
        'nodes:',
        '  closed:',
        '    type: say',
        '    text: { en: "We are open Monday to Friday, 9 AM to 5 PM.", es: "Abrimos {hours:tienda}." }',
        '    next: bye',
        '  bye: { type: hangup }',
      ].join('\n'),
    );
    expect(checkFlows(dir).warnings).toEqual([
      "main: closed.text.en spells out opening hours; say {hours:<queue>} instead, so callers hear the queue's real hours",
      'main: closed.text.es says the hours of queue "tienda", which is not a default queue (an admin must create it)',
    ]);
    // The shipped flows say the real hours.
    expect(checkFlows('ivr-flows').warnings.filter((w) => /hours/.test(w))).toEqual([]);
  });
});

describe('the language a caller chooses is kept on their contact', () => {
  it('Spanish at the menu becomes the contact’s language; silence (the default) changes nothing', async () => {
    const from = dialablePhone();
    const call = simulateCall(app, { from, to: HOTLINE });
    const menu = await call.press(await call.ring(), '2');
    expect(first(menu, 'Gather').attrs.action).toContain('chose=1');
    await call.press(menu, '1');
    await eventually(() => convOfCall(call.sid));
    expect((await contactOf(from))?.language).toBe('es');
    await call.status('completed');

    // Calling again and saying nothing at the language menu (English by default) keeps Spanish.
    const again = simulateCall(app, { from, to: HOTLINE });
    await again.press(await again.press(await again.ring(), ''), '1');
    await eventually(() => convOfCall(again.sid));
    expect((await contactOf(from))?.language).toBe('es');
    await again.status('completed');

    // Pressing 1 for English is a choice too.
    const third = simulateCall(app, { from, to: HOTLINE });
    await third.press(await third.press(await third.ring(), '1'), '1');
    await eventually(() => convOfCall(third.sid));
    expect((await contactOf(from))?.language).toBe('en');
    await third.status('completed');
  });

  it('a Spanish caller who leaves a callback after hours gets a Spanish contact', async () => {
    await app.api('PATCH', '/api/queues/donor', { businessHours: closedHours(weekdays('09:00', '17:00')) });
    try {
      const from = dialablePhone();
      const call = simulateCall(app, { from, to: HOTLINE });
      const closed = await call.press(await call.ring(), '2');
      const prompt = await call.press(closed, '2');
      const readBack = await call.press(prompt, '');
      expect(spoken(readBack)).toMatch(/^Le llamaremos al/);
      await call.press(readBack, '1');
      await eventually(() => convOfCall(call.sid));
      expect((await contactOf(from))?.language).toBe('es');
    } finally {
      await app.api('PATCH', '/api/queues/donor', { businessHours: null });
    }
  });
});
