import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api.js';
import { reportError } from '../../notices.js';
import type { ContactCard } from '../../types.js';

/**
 * The editable part of a contact (`PATCH /api/contacts/:id`): name, language (the language of the
 * texts Switchboard sends them), notes and attributes. Read-only until Edit.
 */
export function ContactEditor({ contactId, onSaved }: { contactId: string; onSaved: (card: ContactCard) => void }) {
  const { t } = useTranslation();
  const [card, setCard] = useState<ContactCard | null>(null);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState({ name: '', language: '', notes: '' });
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let stale = false;
    setCard(null);
    setEditing(false);
    api
      .contact(contactId)
      .then((c) => !stale && setCard(c))
      .catch(reportError(t('contact.loadFailed')));
    return () => {
      stale = true;
    };
  }, [contactId, t]);
  if (!card) return null;
  const { contact } = card;

  const start = () => {
    setDraft({ name: contact.name ?? '', language: contact.language ?? '', notes: contact.notes ?? '' });
    setEditing(true);
  };
  const save = async () => {
    setBusy(true);
    try {
      const saved = await api.updateContact(contactId, {
        name: draft.name.trim() || null,
        language: (draft.language || null) as 'en' | 'es' | null,
        notes: draft.notes.trim() || null,
      });
      setCard(saved);
      setEditing(false);
      onSaved(saved);
    } catch (err) {
      reportError(t('contact.saveFailed'))(err);
    } finally {
      setBusy(false);
    }
  };

  if (!editing) {
    const attrs = Object.entries(contact.attributes);
    return (
      <div className="contact-facts">
        <dl>
          <dt>{t('contact.languageLabel')}</dt>
          <dd>{contact.language ? t(`languages.${contact.language}`) : t('contact.languageDefault')}</dd>
          {attrs.map(([k, v]) => (
            <div key={k} className="contact-attr">
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
        {contact.notes && (
          <p className="contact-notes small" dir="auto">
            {contact.notes}
          </p>
        )}
        {/* A texter is only a number until someone names them. */}
        <button className="btn btn-sm" onClick={start}>
          {contact.name ? t('contact.edit') : t('contact.nameThis')}
        </button>
      </div>
    );
  }
  return (
    <form
      className="contact-form"
      aria-label={t('contact.editForm')}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label>
        {t('contact.name')}
        <input dir="auto" value={draft.name} maxLength={200} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
      </label>
      <label>
        {t('contact.languageLabel')}
        <select value={draft.language} onChange={(e) => setDraft({ ...draft, language: e.target.value })}>
          <option value="">{t('contact.languageDefault')}</option>
          <option value="en">{t('languages.en')}</option>
          <option value="es">{t('languages.es')}</option>
        </select>
      </label>
      <label>
        {t('contact.notes')}
        <textarea
          dir="auto"
          rows={3}
          maxLength={10_000}
          value={draft.notes}
          onChange={(e) => setDraft({ ...draft, notes: e.target.value })}
        />
      </label>
      <div className="form-actions">
        <button type="button" className="btn btn-sm" onClick={() => setEditing(false)} disabled={busy}>
          {t('contact.cancel')}
        </button>
        <button type="submit" className="btn btn-sm btn-primary" disabled={busy}>
          {t('contact.save')}
        </button>
      </div>
    </form>
  );
}
