/** Texts remembered per memo: more than a window holds (its check reads up to 1,000). */
const MAX_KEPT = 5000;

/**
 * `read` of a stored message's text, once per process: a stored text never changes its words,
 * and every incident check reads the same window of texts again. The text is compared too, so
 * the memo never answers for other words than the row's; oldest first out, as texts leave the
 * window in the order they arrived.
 */
export function perStoredText<T>(read: (text: string) => T): (messageId: string, text: string) => T {
  const kept = new Map<string, { text: string; value: T }>();
  return (messageId, text) => {
    const k = kept.get(messageId);
    if (k && k.text === text) return k.value;
    const value = read(text);
    if (kept.size >= MAX_KEPT) kept.delete(kept.keys().next().value!);
    kept.set(messageId, { text, value });
    return value;
  };
}
