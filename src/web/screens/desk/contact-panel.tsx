import type { Dispatch } from 'react';
import { useTranslation } from 'react-i18next';
import { dayAndTime, initials, formatDate } from '../../format.js';
import type { DeskAction } from '../../state/desk.js';
import type { ConversationDetail } from '../../types.js';
import { ChannelBadge, Icon, StatusPill } from '../../components/bits.js';
import { NumberBadge } from '../../components/request-bits.js';
import { ContactEditor } from './contact-editor.js';
import { usePastConversations } from './use-desk-data.js';
import { openContactPage } from '../../contact-link.js';
import { useSimilarContacts } from '../contacts/merge-suggestions.js';

/** The desk's merge suggestion: this contact looks like others (same email, phone or name); review them on the contact page. */
function MergeHint({ contactId }: { contactId: string }) {
  const { t } = useTranslation();
  const similar = useSimilarContacts(contactId);
  if (similar.length === 0) return null;
  return (
    <div className="merge-hint" role="status" data-testid="merge-hint">
      <span>{t('contact.mergeHint', { count: similar.length })}</span>
      <button type="button" className="btn btn-sm" onClick={() => openContactPage(contactId)}>
        {t('contact.mergeReview')}
      </button>
    </div>
  );
}

/** Who the contact is, how to reach them (and whether they opted out), and their other conversations. */
export function ContactPanel({
  detail,
  onOpen,
  dispatch,
}: {
  detail: ConversationDetail | null;
  onOpen: (id: string) => void;
  dispatch: Dispatch<DeskAction>;
}) {
  const { t } = useTranslation();
  const currentId = detail?.conversation.id;
  const past = usePastConversations(detail?.contact.id, currentId);

  if (!detail) return <section className="panel contact-panel" aria-label={t('contact.label')} />;
  const { contact } = detail;
  const others = past.filter((c) => c.id !== currentId);
  return (
    <section className="panel contact-panel" aria-label={t('contact.label')}>
      <div className="contact-head">
        <span className="avatar avatar-lg" aria-hidden="true">
          {initials(contact.name) || <Icon name="person" size={20} />}
        </span>
        <div>
          <div className="contact-name" dir="auto">
            {contact.name ?? t('contact.unnamed')}
          </div>
          {contact.createdAt && <div className="muted small">{t('contact.since', { date: formatDate(contact.createdAt) })}</div>}
        </div>
      </div>
      <MergeHint contactId={contact.id} />
      <button type="button" className="btn btn-sm contact-page-link" onClick={() => openContactPage(contact.id)}>
        {t('contact.openPage')}
      </button>
      <ContactEditor
        contactId={contact.id}
        onSaved={(card) => dispatch({ type: 'contact.renamed', contactId: card.contact.id, name: card.contact.name })}
      />
      <h3 className="panel-title">{t('contact.identities')}</h3>
      <ul className="identities">
        {contact.identities.map((i) => (
          <li key={i.kind + i.value}>
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
      <h3 className="panel-title">
        {t('contact.past')} {others.length > 0 && <span className="count">{others.length}</span>}
      </h3>
      {others.length === 0 ? (
        <p className="muted small">{t('contact.noOthers')}</p>
      ) : (
        <ul className="past">
          {others.map((c) => (
            <li key={c.id}>
              <button className="past-item" onClick={() => onOpen(c.id)}>
                <ChannelBadge channel={c.channel} />
                <span className="past-main">
                  <span>
                    <NumberBadge number={c.number} /> <bdi>{c.subject ?? c.queue}</bdi>
                  </span>
                  <span className="muted small">
                    {dayAndTime(c.createdAt)}
                    {c.disposition ? ` · ${c.disposition}` : ''}
                  </span>
                </span>
                <StatusPill status={c.status} />
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
