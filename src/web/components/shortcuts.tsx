const KEYS: [string, string][] = [
  ['Alt + A', 'Accept the incoming offer'],
  ['Alt + D', 'Decline the incoming offer'],
  ['Alt + R', 'Reply: focus the composer'],
  ['Ctrl + Enter', 'Send the reply'],
  ['Alt + S', 'Resolve the open conversation'],
  ['Alt + T', 'Transfer the open conversation'],
  ['Alt + W', 'Switch desk / wallboard (supervisors)'],
  ['?', 'Show this help'],
];

export function ShortcutsHelp({ onClose }: { onClose: () => void }) {
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" onClick={(e) => e.stopPropagation()}>
        <h2 id="shortcuts-title">Keyboard shortcuts</h2>
        <dl className="shortcuts">
          {KEYS.map(([k, v]) => (
            <div key={k}>
              <dt>
                <kbd>{k}</kbd>
              </dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
        <div className="modal-actions">
          <button className="btn" onClick={onClose} autoFocus>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
