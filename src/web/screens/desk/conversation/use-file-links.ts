import { useCallback, useEffect, useState } from 'react';
import { api } from '../../../api.js';
import type { FileLink, Message } from '../../../types.js';

/** Looks up the signed link of one media item: `${messageId}:${index}`. */
export type FileLinks = { get: (messageId: string, index: number) => FileLink | undefined; refresh: () => Promise<void> };

/**
 * Signed links to a conversation's files, fetched when it opens or gains media, and again
 * before they expire; `refresh` is for a player whose link ran out mid-listen.
 */
export function useFileLinks(conversationId: string, messages: Message[]): FileLinks {
  const [links, setLinks] = useState<Map<string, FileLink>>(new Map());
  const mediaCount = messages.reduce((n, m) => n + m.media.length, 0);
  const refresh = useCallback(async () => {
    if (mediaCount === 0) return setLinks(new Map());
    const files = await api.conversationFiles(conversationId).catch(() => [] as FileLink[]);
    setLinks(new Map(files.map((f) => [`${f.messageId}:${f.index}`, f])));
  }, [conversationId, mediaCount]);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  // Renew halfway through the links' life, so a click never meets an expired one.
  const firstExpiry = Math.min(...[...links.values()].map((f) => Date.parse(f.expiresAt)));
  useEffect(() => {
    if (!Number.isFinite(firstExpiry)) return;
    const t = setTimeout(() => void refresh(), Math.max(5_000, (firstExpiry - Date.now()) / 2));
    return () => clearTimeout(t);
  }, [firstExpiry, refresh]);
  return { get: (messageId, index) => links.get(`${messageId}:${index}`), refresh };
}
