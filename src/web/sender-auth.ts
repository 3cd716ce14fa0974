import type { Message } from './types.js';

/** How the desk shows the sender check of an inbound mail (metadata.email.auth, set on receipt). */
export type SenderAuthBadge = { verdict: 'pass' | 'fail' | 'none'; label: string; tone: 'ok' | 'danger' | 'muted'; title: string };

export function senderAuthBadge(m: Pick<Message, 'channel' | 'direction' | 'metadata'>): SenderAuthBadge | null {
  if (m.channel !== 'email' || m.direction !== 'inbound') return null;
  const email = (m.metadata?.email ?? {}) as Record<string, unknown>;
  const auth = email.auth as { verdict?: string; dmarc?: string; spf?: string; dkim?: string; domain?: string } | undefined;
  if (!auth || typeof auth.verdict !== 'string') return null;
  const checks = `DMARC ${auth.dmarc ?? '?'} · SPF ${auth.spf ?? '?'} · DKIM ${auth.dkim ?? '?'}`;
  const from = typeof email.from === 'string' ? email.from : 'the sender';
  if (auth.verdict === 'pass')
    return {
      verdict: 'pass',
      label: 'Sender verified',
      tone: 'ok',
      title: `${auth.domain ?? 'The sender’s domain'} vouches for this mail (${checks})`,
    };
  if (auth.verdict === 'fail') {
    return {
      verdict: 'fail',
      label: 'Unverified sender',
      tone: 'danger',
      title: `This mail failed ${auth.domain ?? 'its domain'}’s DMARC check: it may not come from ${from}. Do not act on requests to change payments or personal details without confirming by another channel (${checks})`,
    };
  }
  return {
    verdict: 'none',
    label: 'Sender not verifiable',
    tone: 'muted',
    title: `The sender’s domain publishes no DMARC policy, or it could not be checked (${checks})`,
  };
}
