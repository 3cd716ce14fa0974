import { useEffect, useMemo, useState } from 'react';
import { fillCanned, matchesCannedQuery } from '../../../../core/content/fill-canned.js';
import { api } from '../../../api.js';
import type { CannedResponse, ConversationDetail } from '../../../types.js';

/**
 * The canned responses a conversation can use (global and its queue's), one per title: the
 * variant in the contact's language when there is one, else the language-neutral one, else English.
 */
export function useCanned(detail: ConversationDetail) {
  const queue = detail.conversation.queue;
  const [all, setAll] = useState<CannedResponse[]>([]);
  useEffect(() => {
    let live = true;
    api.cannedResponses({ queue }).then(
      (list) => live && setAll(list),
      () => live && setAll([]),
    );
    return () => {
      live = false;
    };
  }, [queue]);
  const language = detail.contact.language ?? 'en';
  return useMemo(() => {
    const byTitle = new Map<string, CannedResponse>();
    const rank = (c: CannedResponse) => (c.language === language ? 0 : c.language === null ? 1 : c.language === 'en' ? 2 : 3);
    for (const c of all) {
      const had = byTitle.get(c.title);
      if (!had || rank(c) < rank(had)) byTitle.set(c.title, c);
    }
    return [...byTitle.values()].sort((a, b) => a.title.localeCompare(b.title));
  }, [all, language]);
}

/** `/words` at the start of the line the caret ends: the composer's canned-response search. */
export function slashQuery(text: string): string | null {
  const m = /(?:^|\n)\/([^\n]*)$/.exec(text);
  return m ? m[1] : null;
}

export const searchCanned = (list: CannedResponse[], query: string) => list.filter((c) => matchesCannedQuery(c, query)).slice(0, 8);

export function fillFor(
  c: CannedResponse,
  detail: ConversationDetail,
  agentName: string | undefined,
  fallback: { contact: string; agent: string },
) {
  return fillCanned(c.body, { contactName: detail.contact.name, agentName, conversationNumber: detail.conversation.number }, fallback);
}
