import { useCallback, useEffect, useMemo, useReducer, useState } from 'react';
import { api, refreshSession, setUnauthorizedHandler } from '../api.js';
import { Notices } from '../components/notices.js';
import { OfferToasts } from '../components/offer-toast.js';
import { ShortcutsHelp } from '../components/shortcuts.js';
import { TopBar, type View } from '../components/top-bar.js';
import { clearDrafts } from '../drafts.js';
import { clearNotices, notify, reportError } from '../notices.js';
import { CONTACT_EVENT } from '../contact-link.js';
import { ContactPage } from '../screens/contacts/contact-page.js';
import { Desk } from '../screens/desk/desk.js';
import { ADMIN_TABS, type AdminTab } from '../screens/admin/admin-tabs.js';
import { useTranslation } from 'react-i18next';
import { setDeskLanguage } from '../i18n.js';
import { Login } from '../screens/login/login.js';
import { InvitePage, inviteTokenFromPath } from '../screens/login/invite.js';
import { systemStatus, type SystemStatus } from '../system-status.js';
import {
  Admin,
  AuditLog,
  IncidentsScreen,
  LazyScreen,
  PasswordGate,
  Reports,
  ReviewsScreen,
  SandboxScreen,
  SecurityPage,
  Wallboard,
} from './lazy-screens.js';
import { deskReducer, initialDesk, totalUnread } from '../state/desk.js';
import { useLiveDesk } from './use-live-desk.js';
import { IncidentsContext, useCrisisAlerts } from './use-crisis-alerts.js';
import { useCsatAlerts } from './use-csat-alerts.js';
import { AlertBanners } from '../components/alert-banners.js';
import type { IncidentProposal } from '../types.js';
import { useOffers } from './use-offers.js';
import { useShortcuts } from './use-shortcuts.js';

/** The screens the address bar can name (a new screen: add it to `View` in the top bar, here and in the top bar's links). */
const VIEW_PATHS: Record<View, string> = {
  desk: '/',
  wallboard: '/wallboard',
  reports: '/reports',
  reviews: '/reviews',
  security: '/account/security',
  audit: '/admin/audit',
  sandbox: '/sandbox',
  admin: '/admin',
  incidents: '/incidents',
  contact: '/contacts/',
};
/** `/contacts/<id>`: the contact page's contact. */
const contactIdFromPath = () => /^\/contacts\/([0-9a-f-]{36})$/i.exec(location.pathname)?.[1] ?? null;
const viewFromPath = (): View =>
  (Object.entries(VIEW_PATHS).find(([v, p]) => v !== 'desk' && location.pathname.startsWith(p))?.[0] as View | undefined) ?? 'desk';

const adminTabFromPath = (): AdminTab => {
  const tab = location.pathname.split('/')[2] as AdminTab | undefined;
  return tab && ADMIN_TABS.includes(tab) ? tab : 'agents';
};

export function App() {
  // 'checking': a reload or a new tab resumes the session from the httpOnly refresh cookie, if there is one.
  const [auth, setAuth] = useState<'checking' | 'in' | 'out'>('checking');
  // A one-time set-password link opens its own page, whoever is signed in on this browser.
  const [inviteToken, setInviteToken] = useState(inviteTokenFromPath);
  const signedOut = useCallback(() => {
    clearNotices();
    setAuth('out');
  }, []);
  // The login form shows once the server has revoked the refresh cookie: a reload (or a closed
  // tab) right after "Sign out" must not resume the session.
  const logout = useCallback(async () => {
    clearDrafts();
    await api.logout();
    signedOut();
  }, [signedOut]);
  useEffect(() => setUnauthorizedHandler(signedOut), [signedOut]);
  useEffect(() => {
    refreshSession().then(
      () => setAuth('in'),
      () => setAuth('out'),
    );
  }, []);
  if (inviteToken)
    return (
      <InvitePage
        token={inviteToken}
        onSignedIn={() => {
          setInviteToken(null);
          setAuth('in');
        }}
        onDone={() => {
          setInviteToken(null);
          setAuth('out');
        }}
      />
    );
  if (auth === 'checking') return null;
  return auth === 'in' ? <EnrolmentGate onLogout={logout} /> : <Login onLoggedIn={() => setAuth('in')} />;
}

/**
 * A handed-over password opens nothing until the agent has chosen its own; a role that requires
 * MFA (MFA_REQUIRED_FOR) opens nothing until the agent has enrolled.
 */
function EnrolmentGate({ onLogout }: { onLogout: () => void }) {
  const [required, setRequired] = useState<boolean | null>(null);
  const [passwordChange, setPasswordChange] = useState(false);
  useEffect(() => {
    api.meWithAccess().then(
      (r) => {
        setPasswordChange(r.passwordChangeRequired);
        setRequired(r.mfaEnrolmentRequired);
      },
      () => setRequired(false),
    );
  }, []);
  if (required === null) return null;
  if (passwordChange)
    return (
      <LazyScreen>
        <PasswordGate onChanged={() => setPasswordChange(false)} onLogout={onLogout} />
      </LazyScreen>
    );
  if (required)
    return (
      <LazyScreen>
        <SecurityPage enrolmentRequired onEnrolled={() => setRequired(false)} onLogout={onLogout} />
      </LazyScreen>
    );
  return <Shell onLogout={onLogout} />;
}

/** The signed-in frame: top bar, the current screen, offers ringing, notices and the shortcuts help. */
function Shell({ onLogout }: { onLogout: () => void }) {
  const [state, dispatch] = useReducer(deskReducer, initialDesk);
  const [view, setView] = useState<View>(viewFromPath);
  const [help, setHelp] = useState(false);
  const { bus, reloadTick } = useLiveDesk(state, dispatch, onLogout);
  const alerts = useCrisisAlerts(bus, state.me, reloadTick);
  const csatAlerts = useCsatAlerts(bus, state.me);
  const [proposal, setProposal] = useState<IncidentProposal | null>(null);
  const incidentsInfo = useMemo(() => ({ incidents: alerts.incidents, suggested: alerts.suggested }), [alerts.incidents, alerts.suggested]);
  const supervisor = !!state.me && state.me.role !== 'agent';
  // Whether replies reach real people: the sandbox banner, or vendors missing in production.
  const [system, setSystem] = useState<SystemStatus | null>(null);
  useEffect(() => {
    systemStatus().then(setSystem, () => {});
  }, []);
  const { t, i18n } = useTranslation();
  const [adminTab, setAdminTab] = useState<AdminTab>(adminTabFromPath);
  const language = state.me?.language;
  useEffect(() => {
    if (language) setDeskLanguage(language);
  }, [language]);

  const navigate = useCallback((v: View) => {
    history.pushState(null, '', VIEW_PATHS[v]);
    setView(v);
  }, []);
  const openAdminTab = useCallback((tab: AdminTab) => {
    history.pushState(null, '', `/admin/${tab}`);
    setAdminTab(tab);
    setView('admin');
  }, []);
  useEffect(() => {
    const onPop = () => {
      setView(viewFromPath());
      setContactId(contactIdFromPath());
      setAdminTab(adminTabFromPath());
    };
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const openConversation = useCallback(
    (id: string) => {
      dispatch({ type: 'select', id });
      if (viewFromPath() !== 'desk') navigate('desk');
    },
    [navigate],
  );

  // The contact page: opened from the contact panel, search results and merge suggestions (contact-link.ts).
  const [contactId, setContactId] = useState(contactIdFromPath);
  useEffect(() => {
    const open = (e: Event) => {
      const id = (e as CustomEvent<string>).detail;
      history.pushState(null, '', `${VIEW_PATHS.contact}${id}`);
      setContactId(id);
      setView('contact');
    };
    addEventListener(CONTACT_EVENT, open);
    return () => removeEventListener(CONTACT_EVENT, open);
  }, []);

  // A supervisor reviewed one of this agent's conversations (only its own reach it: its room).
  useEffect(
    () =>
      bus.subscribe('review.created', ({ review }) =>
        notify(
          t('reviews.received', {
            number: review.number,
            average: new Intl.NumberFormat(i18n.language, { maximumFractionDigits: 2 }).format(review.average),
          }),
        ),
      ),
    [bus, t, i18n],
  );

  const { accept, reject } = useOffers(state.offers, dispatch, openConversation);
  const offer = state.offers[0];
  const shortcuts = useMemo<Record<string, () => void>>(
    () => ({
      KeyA: () => offer && void accept(offer),
      KeyD: () => offer && void reject(offer),
      KeyR: () => document.getElementById('composer')?.focus(),
      KeyS: () => dispatchEvent(new CustomEvent('sb:resolve')),
      KeyT: () => dispatchEvent(new CustomEvent('sb:transfer')),
      KeyW: () => supervisor && navigate(view === 'desk' ? 'wallboard' : 'desk'),
    }),
    [offer, accept, reject, supervisor, navigate, view],
  );
  const onHelp = useCallback((show: 'toggle' | 'hide') => setHelp((h) => (show === 'toggle' ? !h : false)), []);
  useShortcuts(shortcuts, onHelp);

  const unread = totalUnread(state);
  useEffect(() => {
    document.title = `${unread ? `(${unread}) ` : ''}Switchboard`;
  }, [unread]);

  return (
    <IncidentsContext.Provider value={incidentsInfo}>
      <div className="app">
        <TopBar
          me={state.me}
          connection={state.connection}
          view={view}
          onNavigate={navigate}
          onLogout={onLogout}
          onPresence={(status) =>
            api.setStatus(status).then((agent) => dispatch({ type: 'me', agent }), reportError(t('app.presenceFailed')))
          }
          onHelp={() => setHelp(true)}
          sandbox={!!system?.sandbox}
          onLanguage={(lang) => {
            setDeskLanguage(lang);
            api.setLanguage(lang).then((agent) => dispatch({ type: 'me', agent }), reportError(t('app.languageFailed')));
          }}
        />
        {system?.sandbox && (
          <div className="banner banner-sandbox" role="status">
            <span>{system.notice ?? t('app.sandbox')}</span>
            {state.me?.role === 'admin' && view !== 'sandbox' && (
              <button type="button" onClick={() => navigate('sandbox')}>
                {t('app.openSandbox')}
              </button>
            )}
          </div>
        )}
        {system && !system.sandbox && system.missingVendors.length > 0 && (
          <div className="banner banner-vendors" role="alert">
            {t('app.missingVendors', { list: system.missingVendors.join('; ') })}
          </div>
        )}
        <AlertBanners
          crises={alerts.crises}
          incidents={alerts.incidents}
          proposals={alerts.proposals}
          onOpenConversation={openConversation}
          onDismissCrisis={alerts.dismissCrisis}
          onDismissProposal={alerts.dismissProposal}
          lowScores={csatAlerts.lowScores}
          onDismissLowScore={csatAlerts.dismissLowScore}
          onOpenIncidents={
            supervisor
              ? (p) => {
                  setProposal(p ?? null);
                  navigate('incidents');
                }
              : undefined
          }
        />
        {state.connection === 'offline' && (
          <div className="banner banner-offline" role="status">
            {t('app.offline')}
          </div>
        )}
        {view === 'security' ? (
          <LazyScreen>
            <SecurityPage />
          </LazyScreen>
        ) : view === 'audit' && state.me?.role === 'admin' ? (
          <LazyScreen>
            <AuditLog />
          </LazyScreen>
        ) : view === 'sandbox' && state.me?.role === 'admin' && system?.sandbox ? (
          <LazyScreen>
            <SandboxScreen />
          </LazyScreen>
        ) : view === 'admin' && supervisor && state.me ? (
          <LazyScreen>
            <Admin me={state.me} tab={adminTab} onTab={openAdminTab} />
          </LazyScreen>
        ) : view === 'reports' && supervisor ? (
          <LazyScreen>
            <Reports onOpenConversation={openConversation} />
          </LazyScreen>
        ) : view === 'reviews' && state.me ? (
          <LazyScreen>
            <ReviewsScreen me={state.me} bus={bus} onOpenConversation={openConversation} />
          </LazyScreen>
        ) : view === 'contact' && contactId ? (
          <ContactPage contactId={contactId} onOpenConversation={openConversation} />
        ) : view === 'incidents' && supervisor ? (
          <LazyScreen>
            <IncidentsScreen open={alerts.incidents} proposal={proposal} onOpenConversation={openConversation} />
          </LazyScreen>
        ) : view === 'wallboard' && supervisor ? (
          <LazyScreen>
            <Wallboard bus={bus} onOpenConversation={openConversation} />
          </LazyScreen>
        ) : (
          <Desk state={state} dispatch={dispatch} reloadTick={reloadTick} />
        )}
        <OfferToasts offers={state.offers} onAccept={accept} onReject={reject} />
        <Notices />
        {help && <ShortcutsHelp onClose={() => setHelp(false)} />}
      </div>
    </IncidentsContext.Provider>
  );
}
