import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { api, refreshSession, session, setUnauthorizedHandler } from '../api.js';
import { chime, notifyOffer } from '../alerts.js';
import { connectRealtime } from '../realtime.js';
import { deskReducer, initialDesk, totalUnread } from '../state/desk.js';
import type { Offer } from '../types.js';
import { Desk } from './desk.js';
import { Login } from './login.js';
import { OfferToasts } from './offer-toast.js';
import { TopBar, type View } from './top-bar.js';
import { Wallboard } from './wallboard.js';
import { ShortcutsHelp } from './shortcuts.js';
import { SecurityPage } from './security-page.js';
import { AuditLog } from './admin/audit-log.js';

export type EventBus = { subscribe(fn: (event: string, payload: any) => void): () => void };

export function App() {
  // 'checking': a reload or a new tab resumes the session from the refresh cookie, if any.
  const [auth, setAuth] = useState<'checking' | 'in' | 'out'>('checking');
  const logout = useCallback(() => {
    void api.logout();
    setAuth('out');
  }, []);
  useEffect(() => setUnauthorizedHandler(() => setAuth('out')), []);
  useEffect(() => {
    refreshSession().then(
      () => setAuth('in'),
      () => setAuth('out'),
    );
  }, []);
  if (auth === 'checking') return null;
  return auth === 'in' ? <EnrolmentGate onLogout={logout} /> : <Login onLoggedIn={() => setAuth('in')} />;
}

/** A role that requires MFA (MFA_REQUIRED_FOR) opens nothing until the agent has enrolled. */
function EnrolmentGate({ onLogout }: { onLogout: () => void }) {
  const [required, setRequired] = useState<boolean | null>(null);
  useEffect(() => {
    api.meWithAccess().then(
      (r) => setRequired(r.mfaEnrolmentRequired),
      () => setRequired(false),
    );
  }, []);
  if (required === null) return null;
  if (required) return <SecurityPage enrolmentRequired onEnrolled={() => setRequired(false)} onLogout={onLogout} />;
  return <Shell onLogout={onLogout} />;
}

const VIEW_PATHS: Record<View, string> = { desk: '/', wallboard: '/wallboard', security: '/account/security', audit: '/admin/audit' };
const viewFromPath = (): View =>
  (Object.entries(VIEW_PATHS).find(([v, p]) => v !== 'desk' && location.pathname.startsWith(p))?.[0] as View | undefined) ?? 'desk';

function Shell({ onLogout }: { onLogout: () => void }) {
  const [state, dispatch] = useReducer(deskReducer, initialDesk);
  const [view, setView] = useState<View>(viewFromPath);
  const [help, setHelp] = useState(false);
  const listeners = useRef(new Set<(event: string, payload: any) => void>());
  const bus = useMemo<EventBus>(() => ({ subscribe: (fn) => (listeners.current.add(fn), () => listeners.current.delete(fn)) }), []);
  const [reloadTick, setReloadTick] = useState(0);
  // Socket payloads carry no contact: a conversation we have not listed yet triggers one (debounced) reload.
  const known = useRef(new Set<string>());
  known.current = new Set(
    Object.values(state.conversations)
      .filter((c) => c.contact)
      .map((c) => c.id),
  );
  const reloadSoon = useRef<ReturnType<typeof setTimeout> | null>(null);
  const tried = useRef(new Set<string>()); // at most one reload per unknown conversation

  const navigate = (v: View) => {
    history.pushState(null, '', VIEW_PATHS[v]);
    setView(v);
  };
  useEffect(() => {
    const onPop = () => setView(viewFromPath());
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  useEffect(() => {
    api.me().then(
      (agent) => dispatch({ type: 'me', agent }),
      () => {},
    );
  }, []);

  const openConversation = useCallback((id: string) => {
    dispatch({ type: 'select', id });
    if (viewFromPath() !== 'desk') navigate('desk');
  }, []);

  // Live updates: one socket feeds the desk reducer and whoever else subscribes (the wallboard).
  useEffect(() => {
    const socket = connectRealtime({
      onStatus: (status) => {
        dispatch({ type: 'connection', status });
        if (status === 'online') {
          setReloadTick((t) => t + 1); // catch up on what we missed
          // Offers made while the page was away (reloaded, reconnecting) are still ringing.
          void api.pendingOffers().then(
            (offers) => offers.forEach((offer) => dispatch({ type: 'offer.created', offer })),
            () => {},
          );
        }
      },
      onAuthError: onLogout,
      onEvent: (event, p) => {
        switch (event) {
          case 'reservation.created': {
            const offer = p as Offer;
            dispatch({ type: 'offer.created', offer });
            chime();
            notifyOffer(offer, () => {});
            break;
          }
          case 'reservation.canceled':
            dispatch({ type: 'offer.removed', reservationId: p.reservationId });
            break;
          case 'conversation.updated':
            dispatch({ type: 'conversation.updated', conversation: p.conversation });
            if (!known.current.has(p.conversation.id) && !tried.current.has(p.conversation.id) && !reloadSoon.current) {
              tried.current.add(p.conversation.id);
              reloadSoon.current = setTimeout(() => {
                reloadSoon.current = null;
                setReloadTick((t) => t + 1);
              }, 500);
            }
            break;
          case 'conversation.assigned':
            dispatch({ type: 'conversation.assigned', conversationId: p.conversationId, agentId: p.agentId });
            break;
          case 'message.created':
            dispatch({ type: 'message.created', conversationId: p.conversationId, message: p.message });
            break;
          case 'message.updated':
            dispatch({ type: 'message.updated', conversationId: p.conversationId, message: p.message });
            break;
          case 'agent.presence':
            dispatch({ type: 'presence', agentId: p.agentId, presence: p.presence });
            break;
        }
        for (const fn of listeners.current) fn(event, p);
      },
    });
    return () => {
      socket.close();
    };
  }, [onLogout]);

  // Renew the short-lived access token from the refresh cookie a minute before it expires.
  useEffect(() => {
    const t = setInterval(() => {
      if (session.remainingMs() < 60_000) void refreshSession().catch(() => {});
    }, 15_000);
    return () => clearInterval(t);
  }, []);

  // Offers expire on the server; drop stale toasts locally too.
  useEffect(() => {
    const t = setInterval(() => {
      for (const o of state.offers)
        if (Date.parse(o.expiresAt) < Date.now() - 1000) dispatch({ type: 'offer.removed', reservationId: o.reservationId });
    }, 1000);
    return () => clearInterval(t);
  }, [state.offers]);

  const accept = useCallback(
    async (offer: Offer) => {
      dispatch({ type: 'offer.removed', reservationId: offer.reservationId });
      try {
        if (offer.channel === 'voice')
          dispatchEvent(
            new CustomEvent('sb:voice-accepted', { detail: { conversationId: offer.conversationId, peer: offer.contact.address } }),
          );
        const c = await api.accept(offer.reservationId);
        dispatch({ type: 'conversation.updated', conversation: { ...c, contact: offer.contact } });
        dispatch({ type: 'filters', filters: { scope: 'mine', status: 'open' } });
        openConversation(c.id);
      } catch (err) {
        alert(`Could not accept: ${(err as Error).message}`);
      }
    },
    [openConversation],
  );
  const reject = useCallback(async (offer: Offer) => {
    dispatch({ type: 'offer.removed', reservationId: offer.reservationId });
    await api.reject(offer.reservationId).catch(() => {});
  }, []);

  // Keyboard shortcuts (Alt+key so typing in the composer never triggers them).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '?' && !(e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement)) {
        setHelp((h) => !h);
        return;
      }
      if (e.key === 'Escape') setHelp(false);
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const offer = state.offers[0];
      const actions: Record<string, () => void> = {
        KeyA: () => offer && void accept(offer),
        KeyD: () => offer && void reject(offer),
        KeyR: () => document.getElementById('composer')?.focus(),
        KeyS: () => dispatchEvent(new CustomEvent('sb:resolve')),
        KeyT: () => dispatchEvent(new CustomEvent('sb:transfer')),
        KeyW: () => state.me && state.me.role !== 'agent' && navigate(view === 'desk' ? 'wallboard' : 'desk'),
      };
      const fn = actions[e.code];
      if (fn) {
        e.preventDefault();
        fn();
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [state.offers, state.me, accept, reject, view]);

  const unread = totalUnread(state);
  useEffect(() => {
    document.title = `${unread ? `(${unread}) ` : ''}Switchboard`;
  }, [unread]);

  return (
    <div className="app">
      <TopBar
        me={state.me}
        connection={state.connection}
        view={view}
        onNavigate={navigate}
        onLogout={onLogout}
        onPresence={async (status) => dispatch({ type: 'me', agent: await api.setStatus(status) })}
        onHelp={() => setHelp(true)}
      />
      {state.connection === 'offline' && (
        <div className="banner banner-offline" role="status">
          Connection lost — reconnecting… New offers will appear when you are back online.
        </div>
      )}
      {view === 'security' ? (
        <SecurityPage />
      ) : view === 'audit' && state.me?.role === 'admin' ? (
        <AuditLog />
      ) : view === 'wallboard' && state.me && state.me.role !== 'agent' ? (
        <Wallboard bus={bus} onOpenConversation={openConversation} />
      ) : (
        <Desk state={state} dispatch={dispatch} reloadTick={reloadTick} />
      )}
      <OfferToasts offers={state.offers} onAccept={accept} onReject={reject} />
      {help && <ShortcutsHelp onClose={() => setHelp(false)} />}
    </div>
  );
}
