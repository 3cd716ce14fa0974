import { i18next } from './i18n.js';
import type { Message } from './types.js';

/** How the desk shows the sender check of an inbound mail (metadata.email.auth, set on receipt). */
export type SenderAuthBadge = { verdict: 'pass' | 'fail' | 'none'; label: string; tone: 'ok' | 'danger' | 'muted'; title: string };

export function senderAuthBadge(m: Pick<Message, 'channel' | 'direction' | 'metadata'>): SenderAuthBadge | null {
  if (m.channel !== 'email' || m.direction !== 'inbound') return null;
  const email = (m.metadata?.email ?? {}) as Record<string, unknown>;
  const auth = email.auth as { verdict?: string; dmarc?: string; spf?: string; dkim?: string; domain?: string } | undefined;
  if (!auth || typeof auth.verdict !== 'string') return null;
  const checks = `DMARC ${auth.dmarc ?? '?'} · SPF ${auth.spf ?? '?'} · DKIM ${auth.dkim ?? '?'}`;
  const t = i18next.t;
  const from = typeof email.from === 'string' ? email.from : t('senderAuth.theSender');
  if (auth.verdict === 'pass')
    return {
      verdict: 'pass',
      label: t('senderAuth.pass'),
      tone: 'ok',
      title: t('senderAuth.passTitle', { domain: auth.domain ?? t('senderAuth.theDomain'), checks }),
    };
  if (auth.verdict === 'fail') {
    return {
      verdict: 'fail',
      label: t('senderAuth.fail'),
      tone: 'danger',
      title: t('senderAuth.failTitle', { domain: auth.domain ?? t('senderAuth.itsDomain'), from, checks }),
    };
  }
  return {
    verdict: 'none',
    label: t('senderAuth.none'),
    tone: 'muted',
    title: t('senderAuth.noneTitle', { checks }),
  };
}
