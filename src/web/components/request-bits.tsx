import { useEffect, useState } from 'react';
import { formatDateTime } from '../format.js';
import { useTranslation } from 'react-i18next';
import type { Conversation } from '../types.js';

/** The human reference, `#1042`. */
export function NumberBadge({ number }: { number: number }) {
  return (
    <span className="ref" data-testid="ref">
      #{number}
    </span>
  );
}

/** "12m", "3h 05m", "2d 4h": how long until (or since) a due time. */
export function dueLabel(ms: number): string {
  const m = Math.floor(Math.abs(ms) / 60_000);
  if (m < 60) return `${Math.max(m, Math.abs(ms) < 60_000 ? 0 : 1)}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** Seconds-level tick for countdowns (one timer per badge, cleared on unmount). */
function useNow(everyMs: number) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

/**
 * The SLA countdown of a conversation: the earliest due time still running; amber in its last
 * hour, red once breached. Nothing when no clock runs.
 */
export function DueBadge({ conversation: c }: { conversation: Pick<Conversation, 'dueAt' | 'sla' | 'status'> }) {
  const { t } = useTranslation();
  const now = useNow(15_000);
  if (!c.dueAt || c.status === 'resolved' || c.status === 'abandoned') return null;
  const left = Date.parse(c.dueAt) - now;
  const kind = c.sla.firstResponseAt ? (c.sla.nextResponseDueAt === c.dueAt ? 'nextResponse' : 'resolution') : 'firstResponse';
  const state = left <= 0 ? 'breached' : left < 3600_000 ? 'soon' : 'ok';
  const text = left <= 0 ? t('requests.dueOver', { time: dueLabel(left) }) : t('requests.dueIn', { time: dueLabel(left) });
  return (
    <span
      className={`due due-${state}`}
      data-testid="due-badge"
      data-state={state}
      title={t('requests.dueTitle', { kind: t(`requests.clock.${kind}`), time: formatDateTime(c.dueAt) })}
    >
      {text}
    </span>
  );
}

export function TagChips({ tags }: { tags: string[] }) {
  if (!tags.length) return null;
  return (
    <span className="tags">
      {tags.map((t) => (
        <span key={t} className="tag">
          {t}
        </span>
      ))}
    </span>
  );
}
