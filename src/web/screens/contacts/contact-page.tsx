import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import { ChannelBadge, Icon, StatusPill } from '../../components/bits.js';
import { NumberBadge } from '../../components/request-bits.js';
import { dayAndTime, initials, formatDate } from '../../format.js';
import { reportError } from '../../notices.js';
import type { ContactCard } from '../../types.js';
import { ContactEditor } from '../desk/contact-editor.js';
import { MergeSuggestions } from './merge-suggestions.js';

/**
 * A contact's own page (`/contacts/<id>`): who they are (editable), every address, every
 * conversation across channels the agent may see, and merging with contacts who look the same.
 */
export function ContactPage({ contactId, onOpenConversation }: { contactId: string; onOpenConversation: (id: string) => void }) {
  const { t } = useTranslation();
  const [card, setCard] = useState<ContactCard | null>(null);
  const [missing, setMissing] = useState(false);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let stale = false;
    setMissing(false);
    api.contact(contactId).then(
      (c) => !stale && setCard(c),
      (err) => {
        if (stale) return;
        setMissing(true);
        reportError(t('contactPage.loadFailed'))(err);
      },
    );
    return () => {
      stale = true;
    };
  }, [contactId, reload, t]);

  if (missing)
    return (
      <main className="contact-page">
        <p className="muted">{t('contactPage.missing')}</p>
      </main>
    );
  if (!card || card.contact.id !== contactId) return <main className="contact-page" aria-busy="true" />;
  const { contact, identities, conversations } = card;
  return (
    <main className="contact-page" aria-labelledby="contact-page-name">
      <div className="contact-page-main">
        <section className="panel">
          <div className="contact-head">
            <span className="avatar avatar-lg" aria-hidden="true">
              {initials(contact.name) || <Icon name="person" size={20} />}
            </span>
            <div>
              <h1 id="contact-page-name" className="contact-name">
                {contact.name ?? t('contact.unnamed')}
              </h1>
              <div className="muted small">{t('contact.since', { date: formatDate(contact.createdAt) })}</div>
            </div>
          </div>
          <ContactEditor key={`${contactId}:${reload}`} contactId={contactId} onSaved={setCard} />
          <h2 className="panel-title">{t('contact.identities')}</h2>
          <ul className="identities">
            {identities.map((i) => (
              <li key={i.id}>
                <span className="id-kind">{t(`contact.kinds.${i.kind}`)}</span>
                <span className="id-value">{i.value}</span>
                {i.optedOut ? (
                  <span className="pill pill-danger">{t('contact.optedOut')}</span>
                ) : (
                  <span className="pill pill-ok">{t('contact.reachable')}</span>
                )}
              </li>
            ))}
          </ul>
        </section>
        <MergeSuggestions contactId={contactId} onMerged={() => setReload((n) => n + 1)} />
      </div>
      <section className="panel contact-history" aria-labelledby="contact-history-title">
        <h2 id="contact-history-title" className="panel-title">
          {t('contactPage.conversations')} <span className="count">{conversations.length}</span>
        </h2>
        {conversations.length === 0 ? (
          <p className="muted small">{t('contactPage.noConversations')}</p>
        ) : (
          <table className="history-table">
            <thead>
              <tr>
                <th scope="col">{t('contactPage.columns.reference')}</th>
                <th scope="col">{t('contactPage.columns.channel')}</th>
                <th scope="col">{t('contactPage.columns.queue')}</th>
                <th scope="col">{t('contactPage.columns.subject')}</th>
                <th scope="col">{t('contactPage.columns.started')}</th>
                <th scope="col">{t('contactPage.columns.status')}</th>
              </tr>
            </thead>
            <tbody>
              {conversations.map((c) => (
                <tr key={c.id}>
                  <td>
                    <button type="button" className="link-button" onClick={() => onOpenConversation(c.id)}>
                      <NumberBadge number={c.number} />
                    </button>
                  </td>
                  <td>
                    <ChannelBadge channel={c.channel} />
                  </td>
                  <td>{c.queue}</td>
                  <td>{c.subject ?? (c.disposition ? c.disposition : '')}</td>
                  <td>{dayAndTime(c.createdAt)}</td>
                  <td>
                    <StatusPill status={c.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  );
}
