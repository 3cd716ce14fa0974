import { useCallback, useEffect, type Dispatch } from 'react';
import { i18next } from '../i18n.js';
import { api } from '../api.js';
import { serverNow } from '../clock.js';
import { notify, reportError } from '../notices.js';
import type { DeskAction } from '../state/desk.js';
import type { Offer } from '../types.js';

/** Accepting and declining offers; offers past their expiry leave the screen even if the server's cancel was missed. */
export function useOffers(offers: Offer[], dispatch: Dispatch<DeskAction>, openConversation: (id: string) => void) {
  useEffect(() => {
    const t = setInterval(() => {
      for (const o of offers)
        if (Date.parse(o.expiresAt) < serverNow() - 1000) dispatch({ type: 'offer.removed', reservationId: o.reservationId });
    }, 1000);
    return () => clearInterval(t);
  }, [offers, dispatch]);

  const accept = useCallback(
    async (offer: Offer) => {
      dispatch({ type: 'offer.removed', reservationId: offer.reservationId });
      try {
        // The softphone answers the call leg the server is about to ring.
        if (offer.channel === 'voice')
          dispatchEvent(
            new CustomEvent('sb:voice-accepted', { detail: { conversationId: offer.conversationId, peer: offer.contact.address } }),
          );
        const c = await api.accept(offer.reservationId);
        dispatch({ type: 'conversation.updated', conversation: { ...c, contact: offer.contact } });
        dispatch({ type: 'filters', filters: { scope: 'mine', status: 'open' } });
        openConversation(c.id);
      } catch (err) {
        notify(i18next.t('errors.accept', { message: (err as Error).message }));
      }
    },
    [dispatch, openConversation],
  );

  const reject = useCallback(
    async (offer: Offer) => {
      dispatch({ type: 'offer.removed', reservationId: offer.reservationId });
      await api.reject(offer.reservationId).catch(reportError(i18next.t('errors.declineOffer')));
    },
    [dispatch],
  );

  return { accept, reject };
}
