import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import { openContactPage } from '../../contact-link.js';
import { reportError } from '../../notices.js';
import type { SimilarContact } from '../../types.js';

/** The contacts that look like `contactId` (same email, phone or name), for the page and the panel. */
export function useSimilarContacts(contactId: string | undefined, reload = 0): SimilarContact[] {
  const [similar, setSimilar] = useState<SimilarContact[]>([]);
  useEffect(() => {
    if (!contactId) return setSimilar([]);
    let stale = false;
    api.similarContacts(contactId).then(
      (s) => !stale && setSimilar(s),
      () => !stale && setSimilar([]),
    );
    return () => {
      stale = true;
    };
  }, [contactId, reload]);
  return similar;
}

/**
 * "This contact looks like…": each candidate with why (same email / phone / name) and a Merge
 * button that moves it into this contact (`POST /api/contacts/:id/merge`), after a confirmation.
 * A search field finds any other contact to merge by hand.
 */
export function MergeSuggestions({ contactId, onMerged }: { contactId: string; onMerged: () => void }) {
  const { t } = useTranslation();
  const [reload, setReload] = useState(0);
  const similar = useSimilarContacts(contactId, reload);
  const [text, setText] = useState('');
  const [found, setFound] = useState<SimilarContact[] | null>(null);
  const [busy, setBusy] = useState(false);

  const merge = async (other: SimilarContact) => {
    if (!confirm(t('contactPage.merge.confirm', { name: other.name ?? t('contact.unnamed') }))) return;
    setBusy(true);
    try {
      await api.mergeContacts(contactId, other.id);
      setFound(null);
      setText('');
      setReload((n) => n + 1);
      onMerged();
    } catch (err) {
      reportError(t('contactPage.merge.failed'))(err);
    } finally {
      setBusy(false);
    }
  };
  const find = async () => {
    if (!text.trim()) return setFound(null);
    try {
      setFound((await api.contacts(text.trim())).filter((c) => c.id !== contactId));
    } catch (err) {
      reportError(t('contactPage.merge.searchFailed'))(err);
    }
  };

  const row = (c: SimilarContact) => (
    <li key={c.id} className="merge-candidate" data-testid="merge-candidate">
      <span className="merge-who">
        <strong>{c.name ?? t('contact.unnamed')}</strong>
        <span className="muted small">{c.identities.map((i) => i.value).join(' · ')}</span>
        {c.reasons && c.reasons.length > 0 && (
          <span className="merge-reasons small">
            {c.reasons.map((r) => (
              <span key={r} className="pill pill-warn">
                {t(`contactPage.merge.reasons.${r}`)}
              </span>
            ))}
          </span>
        )}
      </span>
      <span className="merge-actions">
        <button type="button" className="btn btn-sm" onClick={() => openContactPage(c.id)}>
          {t('contactPage.merge.view')}
        </button>
        <button type="button" className="btn btn-sm btn-primary" disabled={busy} onClick={() => void merge(c)}>
          {t('contactPage.merge.action')}
        </button>
      </span>
    </li>
  );

  return (
    <section className="panel merge-panel" aria-labelledby="merge-title">
      <h2 id="merge-title" className="panel-title">
        {t('contactPage.merge.title')}
      </h2>
      {similar.length > 0 ? (
        <>
          <p className="small" role="status">
            {t('contactPage.merge.suggested', { count: similar.length })}
          </p>
          <ul className="merge-list" aria-label={t('contactPage.merge.suggestions')}>
            {similar.map(row)}
          </ul>
        </>
      ) : (
        <p className="muted small">{t('contactPage.merge.none')}</p>
      )}
      <form
        className="merge-find"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void find();
        }}
      >
        <label htmlFor="merge-find">{t('contactPage.merge.find')}</label>
        <input
          id="merge-find"
          type="search"
          value={text}
          placeholder={t('contactPage.merge.findPlaceholder')}
          onChange={(e) => setText(e.target.value)}
        />
      </form>
      {found && (
        <ul className="merge-list" aria-label={t('contactPage.merge.found')}>
          {found.length === 0 && <li className="muted small">{t('contactPage.merge.nothingFound')}</li>}
          {found.map(row)}
        </ul>
      )}
    </section>
  );
}
