import { useCallback, useEffect, useState } from 'react';
import type { EventBus } from '../events.js';
import type { Agent, CsatAlert } from '../types.js';

const DISMISSED_KEY = 'switchboard.dismissedCsat';
/** The newest low scores kept for the banner (older ones are in the reports). */
const KEPT = 5;

function loadDismissed(): Set<string> {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(DISMISSED_KEY) ?? '[]') as string[]);
  } catch {
    return new Set();
  }
}

/**
 * Low satisfaction scores (`csat.low`, 1–2) as they come in, for supervisors and admins: the
 * banner names the score, queue and agent and opens the conversation. Live only (the reports keep
 * every score); a dismissal lasts for the browser tab, like the crisis banners'.
 */
export function useCsatAlerts(bus: EventBus, me: Agent | null) {
  const supervisor = !!me && me.role !== 'agent';
  const [alerts, setAlerts] = useState<CsatAlert[]>([]);
  const [dismissed, setDismissed] = useState(loadDismissed);

  useEffect(() => {
    if (!supervisor) return;
    return bus.subscribe('csat.low', (alert) =>
      setAlerts((list) => [alert, ...list.filter((a) => a.conversationId !== alert.conversationId)].slice(0, KEPT)),
    );
  }, [bus, supervisor]);

  const dismiss = useCallback((a: CsatAlert) => {
    setDismissed((set) => {
      const next = new Set(set).add(a.conversationId);
      try {
        sessionStorage.setItem(DISMISSED_KEY, JSON.stringify([...next].slice(-200)));
      } catch {
        /* private mode: dismissed for this page */
      }
      return next;
    });
  }, []);

  return { lowScores: supervisor ? alerts.filter((a) => !dismissed.has(a.conversationId)) : [], dismissLowScore: dismiss };
}
