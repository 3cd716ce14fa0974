import { useEffect } from 'react';

/**
 * Keyboard shortcuts (Alt+key so typing in the composer never triggers them; `?` outside text fields).
 * Keys are `KeyboardEvent.code`s; actions for screens that are not shown are left out by the caller.
 */
export function useShortcuts(altActions: Record<string, () => void>, onHelp: (show: 'toggle' | 'hide') => void) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '?' && !(e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement)) {
        onHelp('toggle');
        return;
      }
      if (e.key === 'Escape') onHelp('hide');
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const fn = altActions[e.code];
      if (fn) {
        e.preventDefault();
        fn();
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [altActions, onHelp]);
}
