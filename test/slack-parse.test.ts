import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { helpdeskModal, readHelpdeskSubmission } from '../src/channels/slack/helpdesk-modal.js';
import { isContactMessage, parseSlackMessage, slackTextToPlain } from '../src/channels/slack/parse-event.js';
import { checkSlackSignature } from '../src/channels/slack/verify.js';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const sign = (ts: number, body: string, secret = SECRET) => `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;

describe('Slack request signatures', () => {
  const body = Buffer.from('token=x&team_id=T1&command=%2Fhelpdesk');
  const now = 1_800_000_000;
  it('accepts a request signed with the secret within five minutes', () => {
    expect(checkSlackSignature(SECRET, body, sign(now, body.toString()), String(now), now)).toEqual({ ok: true });
    expect(checkSlackSignature(SECRET, body, sign(now - 299, body.toString()), String(now - 299), now)).toEqual({ ok: true });
  });
  it('refuses stale or future timestamps, other secrets, other bodies and missing headers', () => {
    expect(checkSlackSignature(SECRET, body, sign(now - 301, body.toString()), String(now - 301), now)).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(checkSlackSignature(SECRET, body, sign(now + 301, body.toString()), String(now + 301), now)).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(checkSlackSignature(SECRET, body, sign(now, body.toString(), 'other'), String(now), now)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(checkSlackSignature(SECRET, Buffer.from('token=y'), sign(now, body.toString()), String(now), now)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(checkSlackSignature(SECRET, body, undefined, String(now), now)).toEqual({ ok: false, reason: 'missing' });
    expect(checkSlackSignature(SECRET, body, sign(now, body.toString()), 'abc', now)).toEqual({ ok: false, reason: 'missing' });
  });
});

describe('which Slack messages are a contact writing', () => {
  const base = { type: 'message', channel: 'D1', channel_type: 'im', user: 'U1', text: 'hi', ts: '1.1' };
  it.each([
    ['a DM', base, false, true],
    ['the bot itself', { ...base, user: 'UBOT' }, false, false],
    ['any bot', { ...base, bot_id: 'B2' }, false, false],
    ['an edit', { ...base, subtype: 'message_changed' }, false, false],
    ['a channel join', { ...base, subtype: 'channel_join', channel_type: 'channel' }, true, false],
    ['a file share', { ...base, subtype: 'file_share' }, false, true],
    ['an unmapped channel', { ...base, channel_type: 'channel' }, false, false],
    ['a mapped channel', { ...base, channel_type: 'channel' }, true, true],
    ['a group DM', { ...base, channel_type: 'mpim' }, true, false],
  ])('%s', (_name, e, mapped, want) => {
    expect(isContactMessage(e, { botUserId: 'UBOT', mapped })).toBe(want);
  });

  it('a thread reply is keyed by its root; the delivery id is channel + ts', () => {
    const m = parseSlackMessage(
      { ...base, channel: 'C9', channel_type: 'channel', ts: '2.5', thread_ts: '2.1' },
      { eventId: 'Ev1', profile: { name: 'Ana', email: 'Ana@Example.org' } },
    );
    expect(m).toMatchObject({
      channel: 'slack',
      externalId: 'C9:2.5',
      threadKey: 'C9:2.1',
      inboxAddress: 'C9',
      from: { kind: 'slack', value: 'U1', name: 'Ana' },
      alsoKnownAs: [{ kind: 'email', value: 'ana@example.org' }],
      metadata: { slack: { channel: 'C9', threadTs: '2.1', eventId: 'Ev1' } },
    });
  });

  it('text loses the bot mention and Slack escaping', () => {
    expect(slackTextToPlain('<@UBOT> a &lt;b&gt; &amp; <https://x.org|site> <https://y.org>', 'UBOT')).toBe(
      'a <b> & site (https://x.org) https://y.org',
    );
  });
});

describe('/helpdesk modal', () => {
  it('offers one category per queue and reads a submission', () => {
    const view = helpdeskModal(
      [
        { key: 'it', name: 'IT help' },
        { key: 'donor', name: 'Donors' },
      ],
      ' printer ',
    );
    const select = (view.blocks[0] as any).element;
    expect(select.options.map((o: any) => o.value)).toEqual(['it', 'donor']);
    expect((view.blocks[1] as any).element.initial_value).toBe('printer');
    const state = (queue: string | null, text: string) => ({
      values: {
        category: {
          queue: { type: 'static_select', selected_option: queue ? { text: { type: 'plain_text', text: queue }, value: queue } : null },
        },
        details: { text: { type: 'plain_text_input', value: text } },
      },
    });
    expect(readHelpdeskSubmission({ state: state('it', ' help ') } as any)).toEqual({ queue: 'it', text: 'help' });
    expect(readHelpdeskSubmission({ state: state(null, 'help') } as any)).toBeUndefined();
    expect(readHelpdeskSubmission({ state: state('it', '  ') } as any)).toBeUndefined();
  });
});
