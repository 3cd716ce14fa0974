import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dismissNotice, subscribeNotices, type Notice } from '../notices.js';

/** How long a notice stays unless dismissed (long enough to read, short enough not to pile up). */
const NOTICE_MS = 12_000;

/** Errors the desk could not handle by itself, bottom left (offers ring top right). */
export function Notices() {
  const { t } = useTranslation();
  const [list, setList] = useState<Notice[]>([]);
  useEffect(() => subscribeNotices(setList), []);
  useEffect(() => {
    if (!list.length) return;
    const next = Math.min(...list.map((n) => n.at)) + NOTICE_MS;
    const timer = setTimeout(
      () => list.filter((n) => n.at + NOTICE_MS <= Date.now()).forEach((n) => dismissNotice(n.id)),
      next - Date.now(),
    );
    return () => clearTimeout(timer);
  }, [list]);
  if (!list.length) return null;
  return (
    <div className="notices" aria-label={t('notices.label')}>
      {list.map((n) => (
        <div key={n.id} className="notice" role="alert" data-testid="notice">
          <span>{n.message}</span>
          <button className="link" onClick={() => dismissNotice(n.id)} aria-label={t('notices.dismiss')}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
