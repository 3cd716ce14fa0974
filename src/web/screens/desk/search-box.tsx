import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { openContactPage } from '../../contact-link.js';
import { api } from '../../api.js';
import { channelLabel, contactLabel } from '../../format.js';
import { reportError } from '../../notices.js';
import type { SearchResult } from '../../types.js';
import { NumberBadge } from '../../components/request-bits.js';
import { StatusPill } from '../../components/bits.js';

/**
 * One box over references, message text and contacts (`GET /api/search`). `#1042` opens that
 * conversation at once; anything else lists results under the box until one is picked or Esc.
 */
export function SearchBox({ onOpen }: { onOpen: (conversationId: string) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [results, setResults] = useState<SearchResult[] | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async () => {
    const q = text.trim();
    if (!q) return setResults(null);
    setBusy(true);
    try {
      const ref = /^#\s*(\d+)$/.exec(q);
      if (ref) {
        const found = await api.byNumber(Number(ref[1]));
        if (found) {
          onOpen(found.id);
          setResults(null);
          setText('');
          return;
        }
        return setResults([]);
      }
      setResults(await api.search(q));
    } catch (err) {
      reportError(t('search.failed'))(err);
    } finally {
      setBusy(false);
    }
  };
  const close = () => {
    setResults(null);
    setText('');
  };

  return (
    <div className="search">
      <form
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <label className="sr-only" htmlFor="desk-search">
          {t('search.label')}
        </label>
        <input
          id="desk-search"
          type="search"
          placeholder={t('search.placeholder')}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => e.key === 'Escape' && close()}
          aria-busy={busy}
        />
      </form>
      {results && (
        <ul className="search-results" aria-label={t('search.results')} data-testid="search-results">
          {results.length === 0 && <li className="muted small search-empty">{t('search.nothing')}</li>}
          {results.map((r) => (
            <li key={r.conversationId}>
              <button
                className="search-hit"
                onClick={() => {
                  onOpen(r.conversationId);
                  close();
                }}
              >
                <span className="search-hit-top">
                  <NumberBadge number={r.number} />
                  <bdi className="conv-name">{contactLabel(r.contact)}</bdi>
                  <span className="muted small">
                    {channelLabel(r.channel)} · {r.queue}
                  </span>
                  <StatusPill status={r.status} />
                </span>
                {r.snippet && <Snippet text={r.snippet} />}
              </button>
              <button
                type="button"
                className="btn btn-sm search-contact"
                onClick={() => {
                  openContactPage(r.contact.id);
                  close();
                }}
              >
                {t('search.contactPage')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The server marks matched words with « »; shown as <mark> (text only, never HTML). */
function Snippet({ text }: { text: string }) {
  const parts = text.split(/[«»]/);
  return (
    <span className="search-snippet small" dir="auto">
      {parts.map((p, i) => (i % 2 === 1 ? <mark key={i}>{p}</mark> : <span key={i}>{p}</span>))}
    </span>
  );
}
