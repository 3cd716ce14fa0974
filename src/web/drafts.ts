/**
 * What an agent has typed but not sent, per conversation, for this browser tab
 * (sessionStorage): it survives opening another conversation, accepting an offer
 * and a reload, and goes when the tab closes or the agent signs out.
 */
const PREFIX = 'switchboard.draft.';

export function loadDraft(conversationId: string): string {
  try {
    return sessionStorage.getItem(PREFIX + conversationId) ?? '';
  } catch {
    return ''; // storage blocked by the browser: drafts live only while the conversation is open
  }
}

export function saveDraft(conversationId: string, text: string) {
  try {
    if (text.trim()) sessionStorage.setItem(PREFIX + conversationId, text);
    else sessionStorage.removeItem(PREFIX + conversationId);
  } catch {
    // full or blocked storage: the draft stays on screen, it just does not outlive it
  }
}

/** On sign-out: the next person at this browser sees none of it. */
export function clearDrafts() {
  try {
    for (const key of Object.keys(sessionStorage)) if (key.startsWith(PREFIX)) sessionStorage.removeItem(key);
  } catch {
    // nothing stored
  }
}
