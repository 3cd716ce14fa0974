import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomPhone, startTestApp, type TestApp } from './helpers/harness.js';

/** No vendor credentials at all, outside production: the sandbox is on by itself. */
const NO_VENDORS = { SANDBOX: '', TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '', INBOUND_SMTP_PORT: '0' };

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp('sandbox-call', NO_VENDORS);
});
afterAll(async () => {
  await app?.stop();
});

const said = (turn: { lines: { kind: string; text: string }[] }) =>
  turn.lines
    .filter((l) => l.kind === 'say')
    .map((l) => l.text)
    .join(' ');

describe('a typed-digit walk through the IVR', () => {
  it('a sandbox caller hears the menu, presses 1 then 1, waits in the donor queue, and an agent is offered the call', async () => {
    const vic = await app.agent({ name: 'Vic Voice', queues: ['donor'] });
    const sock = await app.socket(vic.token);
    const caller = randomPhone();

    const ring = await app.api('POST', '/api/sandbox/calls', { from: caller });
    expect(ring.status).toBe(201);
    expect(ring.body).toMatchObject({ state: 'menu', accepts: { digits: true, speech: true, numDigits: 1 } });
    expect(said(ring.body)).toContain('For English, press 1.');
    const callSid: string = ring.body.callSid;
    expect(callSid).toMatch(/^CA[0-9a-f]{32}$/);

    const english = await app.api('POST', `/api/sandbox/calls/${callSid}/input`, { digits: '1' });
    expect(english.status).toBe(200);
    expect(english.body.state).toBe('menu');
    expect(said(english.body)).toContain('For donations and our store, press 1.');

    const donor = await app.api('POST', `/api/sandbox/calls/${callSid}/input`, { digits: '1' });
    expect(donor.status).toBe(200);
    expect(donor.body.state).toBe('queued');
    expect(said(donor.body)).toContain('Please hold for the next available member of our donor and store team.');
    expect(said(donor.body)).toMatch(/You are caller number 1 in line/);

    // The real routing: the agent's desk is offered a voice conversation from this caller.
    const offer = await sock.waitFor('reservation.created', (p) => p.contact.address === caller);
    expect(offer).toMatchObject({ channel: 'voice', queue: 'donor' });

    // A call on hold takes no keys; an unknown call is a 404; bad input a 400; agents may not use it.
    expect((await app.api('POST', `/api/sandbox/calls/${callSid}/input`, { digits: '1' })).status).toBe(409);
    expect((await app.api('POST', `/api/sandbox/calls/CA${'0'.repeat(32)}/input`, { digits: '1' })).status).toBe(404);
    expect((await app.api('POST', `/api/sandbox/calls/${callSid}/input`, { digits: 'x' })).status).toBe(400);
    expect((await app.api('POST', '/api/sandbox/calls', { from: 'not a number' })).status).toBe(400);
    expect((await app.api('POST', '/api/sandbox/calls', { from: caller }, vic.token)).status).toBe(403);
  });

  it('a wrong key is met with the menu again, and words work as well as keys', async () => {
    const ring = await app.api('POST', '/api/sandbox/calls', { from: randomPhone() });
    const callSid: string = ring.body.callSid;
    await app.api('POST', `/api/sandbox/calls/${callSid}/input`, { speech: 'english' });
    const wrong = await app.api('POST', `/api/sandbox/calls/${callSid}/input`, { digits: '7' });
    expect(wrong.body.state).toBe('menu');
    expect(said(wrong.body)).toContain('Sorry, that is not one of the options.');
    const it = await app.api('POST', `/api/sandbox/calls/${callSid}/input`, { speech: 'IT help' });
    expect(it.body.state).toBe('queued');
  });
});
