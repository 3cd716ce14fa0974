import { useCallback, useEffect, useRef, useState } from 'react';
import { i18next } from '../../i18n.js';
import { api } from '../../api.js';
import type { EventBus, RealtimeEvents } from '../../events.js';
import { reportError } from '../../notices.js';
import type { Agent, Conversation, Presence, QueueStats, TodayReport } from '../../types.js';

export type WallboardAlert = RealtimeEvents['supervisor.alert'] & { at: number };

/** Everything refreshes from the API this often, besides live events. */
const POLL_MS = 20_000;
/** Conversation changes arrive in bursts; the lists are fetched again once the burst settles. */
const REFETCH_DEBOUNCE_MS = 400;

/**
 * The wallboard's data: queue figures (pushed by `queue.stats`), agents and
 * their presence, today's report, open conversations and escalation alerts.
 */
export function useWallboardData(bus: EventBus) {
  const [queues, setQueues] = useState<{ list: QueueStats[]; at: number }>({ list: [], at: Date.now() });
  const [agents, setAgents] = useState<Agent[]>([]);
  const [report, setReport] = useState<TodayReport | null>(null);
  const [open, setOpen] = useState<Conversation[]>([]);
  const [alerts, setAlerts] = useState<WallboardAlert[]>([]);
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const loadQueues = useCallback(() => {
    api.queues().then((list) => setQueues({ list, at: Date.now() }), reportError(i18next.t('errors.loadQueues')));
  }, []);
  const loadRest = useCallback(() => {
    api.agents().then(setAgents, reportError(i18next.t('errors.loadAgents')));
    api.today().then(setReport, reportError(i18next.t('errors.loadToday')));
    api.conversations({ status: 'open', limit: 100 }).then((r) => setOpen(r.conversations), reportError(i18next.t('errors.loadOpen')));
  }, []);

  useEffect(() => {
    loadQueues();
    loadRest();
    const poll = setInterval(() => {
      loadQueues();
      loadRest();
    }, POLL_MS);
    return () => clearInterval(poll);
  }, [loadQueues, loadRest]);

  useEffect(() => {
    const refetchSoon = () => {
      if (refetchTimer.current) clearTimeout(refetchTimer.current);
      refetchTimer.current = setTimeout(loadRest, REFETCH_DEBOUNCE_MS);
    };
    const offs = [
      bus.subscribe('queue.stats', (p) => setQueues({ list: p.queues, at: Date.now() })),
      bus.subscribe('agent.presence', (p) =>
        setAgents((list) => list.map((a) => (a.id === p.agentId ? { ...a, presence: p.presence } : a))),
      ),
      bus.subscribe('supervisor.alert', (p) => setAlerts((list) => [{ ...p, at: Date.now() }, ...list].slice(0, 20))),
      bus.subscribe('conversation.updated', refetchSoon),
      bus.subscribe('conversation.assigned', refetchSoon),
    ];
    return () => {
      offs.forEach((off) => off());
      if (refetchTimer.current) clearTimeout(refetchTimer.current);
    };
  }, [bus, loadRest]);

  /** A supervisor sets an agent's presence from the wallboard. */
  const setAgentPresence = useCallback((agentId: string, presence: Presence) => {
    api
      .setAgentStatus(agentId, presence)
      .then((updated) => setAgents((l) => l.map((x) => (x.id === agentId ? updated : x))), reportError(i18next.t('errors.setPresence')));
  }, []);

  return { queues, agents, report, open, alerts, reload: loadRest, setAgentPresence };
}
