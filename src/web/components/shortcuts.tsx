import { useTranslation } from 'react-i18next';

/** Key names stay as printed on keyboards; what they do is translated. */
const KEYS: [string, string][] = [
  ['Alt + A', 'shortcuts.accept'],
  ['Alt + D', 'shortcuts.decline'],
  ['Alt + R', 'shortcuts.reply'],
  ['Ctrl + Enter', 'shortcuts.send'],
  ['Alt + S', 'shortcuts.resolve'],
  ['Alt + T', 'shortcuts.transfer'],
  ['Alt + W', 'shortcuts.switch'],
  ['?', 'shortcuts.help'],
];

export function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" onClick={(e) => e.stopPropagation()}>
        <h2 id="shortcuts-title">{t('shortcuts.title')}</h2>
        <dl className="shortcuts">
          {KEYS.map(([k, v]) => (
            <div key={k}>
              <dt>
                <kbd>{k}</kbd>
              </dt>
              <dd>{t(v)}</dd>
            </div>
          ))}
        </dl>
        <div className="modal-actions">
          <button className="btn" onClick={onClose} autoFocus>
            {t('common.close')}
          </button>
        </div>
      </div>
    </div>
  );
}
