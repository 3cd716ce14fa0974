import { describe, expect, it } from 'vitest';
import { senderAuthBadge } from '../../src/web/sender-auth.js';

const mail = (auth: unknown) => ({
  channel: 'email' as const,
  direction: 'inbound' as const,
  metadata: { email: { from: 'ana@donor.example', auth } },
});

describe('the desk shows the sender check of each inbound mail', () => {
  it('pass, fail and none each have their badge; fail warns about acting on the mail', () => {
    expect(senderAuthBadge(mail({ verdict: 'pass', dmarc: 'pass', spf: 'pass', dkim: 'pass', domain: 'donor.example' }))).toMatchObject({
      label: 'Sender verified',
      tone: 'ok',
    });
    const fail = senderAuthBadge(mail({ verdict: 'fail', dmarc: 'fail', spf: 'fail', dkim: 'none', domain: 'donor.example' }))!;
    expect(fail).toMatchObject({ label: 'Unverified sender', tone: 'danger' });
    expect(fail.title).toContain('may not come from ana@donor.example');
    expect(senderAuthBadge(mail({ verdict: 'none', dmarc: 'none', spf: 'pass', dkim: 'none' }))).toMatchObject({ tone: 'muted' });
  });

  it('nothing for replies, other channels or mail stored before the check existed', () => {
    expect(senderAuthBadge({ ...mail({ verdict: 'pass' }), direction: 'outbound' })).toBeNull();
    expect(senderAuthBadge({ ...mail({ verdict: 'pass' }), channel: 'sms' })).toBeNull();
    expect(senderAuthBadge(mail(undefined))).toBeNull();
  });
});
