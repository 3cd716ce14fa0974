import { createContext, useCallback, useContext, useEffect, useState } from 'react';
import { i18next } from '../i18n.js';
import { crisisTone } from '../alerts.js';
import { api } from '../api.js';
import type { EventBus } from '../events.js';
import { reportError } from '../notices.js';
import type { Agent, CrisisAlert, Incident, IncidentProposal } from '../types.js';

const OPEN_STATUSES = ['waiting', 'offered', 'assigned', 'pending', 'snoozed'];
const DISMISSED_KEY = 'switchboard.dismissedAlerts';

/** A crisis banner is new again when it says more: a higher level or new reasons. */
const crisisKey = (a: CrisisAlert) => `crisis:${a.conversationId}:${a.level}:${a.reasons.length}`;
/** A proposal is the same group while its leading words are (it grows as contacts arrive). */
const proposalKey = (p: IncidentProposal) => `proposal:${[...p.words.slice(0, 2), ...p.categories].sort().join('+')}`;

/** Dismissals last for the browser tab (a reload does not raise them again; a new tab does). */
function loadDismissed(): Set<string> {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(DISMISSED_KEY) ?? '[]') as string[]);
  } catch {
    return new Set();
  }
}

/**
 * What the banners above every screen show: crises detected (to supervisors and the assignee),
 * open incidents (to everyone), groups of similar contacts (to supervisors). Kept from the socket
 * and fetched again on every (re)connect, so a desk on any web process ends up the same.
 */
export function useCrisisAlerts(bus: EventBus, me: Agent | null, reloadTick: number) {
  const supervisor = !!me && me.role !== 'agent';
  const [crises, setCrises] = useState<CrisisAlert[]>([]);
  const [incidents, setIncidents] = useState<Incident[]>([]);
  const [proposals, setProposals] = useState<IncidentProposal[]>([]);
  /** Conversations an open incident's words matched (`incident.suggested`): conversation id → incident ids. */
  const [suggested, setSuggested] = useState<Record<string, string[]>>({});
  const [dismissed, setDismissed] = useState(loadDismissed);

  const loadProposals = useCallback(() => {
    if (supervisor) api.crisis.proposals().then(setProposals, reportError(i18next.t('errors.loadProposals')));
  }, [supervisor]);

  useEffect(() => {
    if (!me) return;
    api.crisis.incidents('open').then(setIncidents, reportError(i18next.t('errors.loadIncidents')));
    if (supervisor) api.crisis.openRisks().then(setCrises, reportError(i18next.t('errors.loadCrises')));
    loadProposals();
  }, [me, supervisor, reloadTick, loadProposals]);

  useEffect(() => {
    const offs = [
      bus.subscribe('crisis.detected', (alert) => {
        setCrises((list) => [alert, ...list.filter((a) => a.conversationId !== alert.conversationId)]);
        crisisTone();
      }),
      bus.subscribe('conversation.updated', ({ conversation: c }) => {
        if (!OPEN_STATUSES.includes(c.status)) setCrises((list) => list.filter((a) => a.conversationId !== c.id));
        else
          setCrises((list) =>
            list.map((a) => (a.conversationId === c.id ? { ...a, queue: c.queue, assigneeId: c.assigneeId, status: c.status } : a)),
          );
      }),
      bus.subscribe('incident.updated', ({ incident }) => {
        setIncidents((list) =>
          incident.status === 'open' ? [incident, ...list.filter((i) => i.id !== incident.id)] : list.filter((i) => i.id !== incident.id),
        );
        // A declaration may cover a proposed group.
        if (incident.status === 'open') loadProposals();
      }),
      bus.subscribe('incident.suggested', (s) =>
        setSuggested((m) => ({ ...m, [s.conversationId]: [...new Set([...(m[s.conversationId] ?? []), s.incidentId])] })),
      ),
      bus.subscribe('incident.proposed', ({ proposal }) => {
        setProposals((list) => [proposal, ...list.filter((p) => !p.conversationIds.some((id) => proposal.conversationIds.includes(id)))]);
        crisisTone();
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [bus, loadProposals]);

  const dismiss = useCallback((key: string) => {
    setDismissed((set) => {
      const next = new Set(set).add(key);
      try {
        sessionStorage.setItem(DISMISSED_KEY, JSON.stringify([...next].slice(-200)));
      } catch {
        /* private mode: dismissed for this page */
      }
      return next;
    });
  }, []);

  return {
    crises: crises.filter((a) => !dismissed.has(crisisKey(a))),
    incidents,
    proposals: proposals.filter((p) => !dismissed.has(proposalKey(p))),
    suggested,
    dismissCrisis: (a: CrisisAlert) => dismiss(crisisKey(a)),
    dismissProposal: (p: IncidentProposal) => dismiss(proposalKey(p)),
  };
}

/** Open incidents and the desk's link hints, for the conversation view's "Link to incident". */
export type IncidentsInfo = { incidents: Incident[]; suggested: Record<string, string[]> };
export const IncidentsContext = createContext<IncidentsInfo>({ incidents: [], suggested: {} });
export const useIncidents = () => useContext(IncidentsContext);
