import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { serverNow } from '../clock.js';
import { channelLabel, contactLabel, waitLabel } from '../format.js';
import { secondsLeft } from '../state/desk.js';
import type { Offer } from '../types.js';
import { ChannelBadge } from './bits.js';

export function OfferToasts({
  offers,
  onAccept,
  onReject,
}: {
  offers: Offer[];
  onAccept: (o: Offer) => void;
  onReject: (o: Offer) => void;
}) {
  // Re-render four times a second; the time itself is read at render, so an offer that has just
  // arrived is never measured against a stale clock.
  const { t } = useTranslation();
  const [, setTick] = useState(0);
  const now = serverNow();
  const total = useRef(new Map<string, number>());
  useEffect(() => {
    if (!offers.length) return;
    const timer = setInterval(() => setTick((n) => n + 1), 250);
    return () => clearInterval(timer);
  }, [offers.length]);
  if (!offers.length) return null;
  // Over the contact panel only (never the composer's Send or the header's Resolve); many offers scroll.
  return (
    <div className="toasts" aria-live="assertive" aria-label={t('offers.region')} role="region">
      {offers.length > 1 && (
        <div className="toasts-count" data-testid="offer-count">
          {t('offers.waiting', { count: offers.length })}
        </div>
      )}
      {offers.map((o, i) => {
        const left = secondsLeft(o, now);
        if (!total.current.has(o.reservationId)) total.current.set(o.reservationId, Math.max(1, left));
        const share = left / total.current.get(o.reservationId)!;
        return (
          <section
            key={o.reservationId}
            className={`toast toast-${o.channel}`}
            role="alertdialog"
            aria-label={t('offers.label', { channel: channelLabel(o.channel), contact: contactLabel(o.contact) })}
            data-testid="offer"
          >
            <div className="toast-head">
              <ChannelBadge channel={o.channel} />
              <span className="toast-title">{t(`offers.titles.${o.channel}`)}</span>
              <span className={`countdown ${left <= 5 ? 'urgent' : ''}`} aria-label={t('offers.secondsLeft', { count: left })}>
                {waitLabel(left)}
              </span>
            </div>
            <div className="toast-contact" dir="auto">
              {contactLabel(o.contact)}
            </div>
            {o.transfer && (
              <div className="toast-transfer" data-testid="offer-transfer" dir="auto">
                {t('offers.transferredBy', { name: o.transfer.by.name })}
                {o.transfer.note ? `: “${o.transfer.note}”` : ''}
              </div>
            )}
            {o.preview && (
              <p className="toast-preview" dir="auto" data-testid="offer-preview">
                {o.preview}
              </p>
            )}
            <div className="toast-meta">
              {o.contact.name && o.contact.address ? <span>{o.contact.address}</span> : null}
              <span className="pill">{t('offers.queue', { queue: o.queue })}</span>
              {o.priority >= 50 && <span className="pill pill-danger">{t('offers.highPriority')}</span>}
            </div>
            <div className="toast-bar" aria-hidden="true">
              <span style={{ width: `${Math.min(100, share * 100)}%` }} />
            </div>
            <div className="toast-actions">
              <button className="btn btn-success" onClick={() => onAccept(o)} aria-keyshortcuts={i === 0 ? 'Alt+A' : undefined}>
                {t('offers.accept')} {i === 0 && <kbd>Alt A</kbd>}
              </button>
              <button className="btn" onClick={() => onReject(o)} aria-keyshortcuts={i === 0 ? 'Alt+D' : undefined}>
                {t('offers.decline')}
              </button>
            </div>
          </section>
        );
      })}
    </div>
  );
}
