import { useEffect, useMemo, useRef, useState, type Dispatch } from 'react';
import { i18next } from '../i18n.js';
import { chime, notifyOffer } from '../alerts.js';
import { api, session } from '../api.js';
import { createEventBus } from '../events.js';
import { reportError } from '../notices.js';
import { connectRealtime } from '../realtime.js';
import type { DeskAction, DeskState } from '../state/desk.js';

/** A conversation the desk has not listed yet triggers one list reload, this long after its event (bursts share it). */
const UNKNOWN_RELOAD_MS = 500;
/** Access tokens are short-lived (docs/security.md, "Tokens"): renew from the refresh cookie when less than this is left. */
const REFRESH_BEFORE_MS = 60_000;

/**
 * The tab's live connection: one socket feeding one typed event bus. The desk
 * reducer subscribes here; other screens (the wallboard) subscribe to the bus.
 * `reloadTick` changes when lists must be fetched again (reconnect, a
 * conversation the desk has not seen).
 */
export function useLiveDesk(state: DeskState, dispatch: Dispatch<DeskAction>, onLogout: () => void) {
  const bus = useMemo(createEventBus, []);
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

  useEffect(() => {
    api.me().then((agent) => dispatch({ type: 'me', agent }), reportError(i18next.t('errors.loadProfile')));
  }, [dispatch]);

  useEffect(() => {
    const offs = [
      bus.subscribe('reservation.created', (offer) => {
        dispatch({ type: 'offer.created', offer });
        chime();
        notifyOffer(offer, () => {});
      }),
      bus.subscribe('reservation.canceled', (p) => dispatch({ type: 'offer.removed', reservationId: p.reservationId })),
      bus.subscribe('conversation.updated', ({ conversation }) => {
        dispatch({ type: 'conversation.updated', conversation });
        if (!known.current.has(conversation.id) && !tried.current.has(conversation.id) && !reloadSoon.current) {
          tried.current.add(conversation.id);
          reloadSoon.current = setTimeout(() => {
            reloadSoon.current = null;
            setReloadTick((t) => t + 1);
          }, UNKNOWN_RELOAD_MS);
        }
      }),
      bus.subscribe('conversation.assigned', (p) =>
        dispatch({ type: 'conversation.assigned', conversationId: p.conversationId, agentId: p.agentId }),
      ),
      bus.subscribe('message.created', (p) => dispatch({ type: 'message.created', conversationId: p.conversationId, message: p.message })),
      bus.subscribe('message.updated', (p) => dispatch({ type: 'message.updated', conversationId: p.conversationId, message: p.message })),
      bus.subscribe('agent.presence', (p) => dispatch({ type: 'presence', agentId: p.agentId, presence: p.presence })),
    ];
    return () => offs.forEach((off) => off());
  }, [bus, dispatch]);

  useEffect(() => {
    const socket = connectRealtime(bus, {
      onStatus: (status) => {
        dispatch({ type: 'connection', status });
        if (status === 'online') {
          setReloadTick((t) => t + 1); // catch up on what we missed
          // Offers made while the page was away (reloaded, reconnecting) are still ringing.
          api
            .pendingOffers()
            .then(
              (offers) => offers.forEach((offer) => dispatch({ type: 'offer.created', offer })),
              reportError(i18next.t('errors.loadOffers')),
            );
        }
      },
      onAuthError: onLogout,
    });
    return () => {
      socket.close();
    };
  }, [bus, dispatch, onLogout]);

  // Renew the access token before it expires (a failed renewal shows; a 401 after it ends the session).
  useEffect(() => {
    const t = setInterval(() => {
      if (session.remainingMs() < REFRESH_BEFORE_MS) api.refresh().catch(reportError(i18next.t('errors.renewSession')));
    }, 15_000);
    return () => clearInterval(t);
  }, []);

  return { bus, reloadTick };
}
