import { useEffect, useState, type Dispatch } from 'react';
import { i18next } from '../../i18n.js';
import { api } from '../../api.js';
import { reportError } from '../../notices.js';
import type { DeskAction, Filters } from '../../state/desk.js';
import type { Conversation } from '../../types.js';

/**
 * The desk's loads. Each one fetches what a view shows and hands it to the
 * desk reducer (or returns it); live socket events keep it current in between,
 * and `reloadTick` (a reconnect, an unknown conversation) fetches it again.
 */

/** The inbox: what the filters ask for. */
export function useInboxLoader(filters: Filters, reloadTick: number, dispatch: Dispatch<DeskAction>) {
  const { status, queue, channel, scope, tag } = filters;
  useEffect(() => {
    let stale = false;
    api
      .conversations({
        status,
        queue: queue || undefined,
        channel: channel || undefined,
        tag: tag || undefined,
        mine: scope === 'mine',
        limit: 100,
      })
      .then((r) => !stale && dispatch({ type: 'conversations.loaded', conversations: r.conversations }))
      .catch(reportError(i18next.t('errors.loadInbox')));
    return () => {
      stale = true;
    };
  }, [status, queue, channel, scope, tag, reloadTick, dispatch]);
}

/** The selected conversation with its contact and messages. */
export function useConversationLoader(selectedId: string | null, reloadTick: number, dispatch: Dispatch<DeskAction>) {
  useEffect(() => {
    if (!selectedId) return;
    let stale = false;
    api
      .conversation(selectedId)
      .then((detail) => !stale && dispatch({ type: 'detail.loaded', detail }))
      .catch(reportError(i18next.t('errors.openConversation')));
    return () => {
      stale = true;
    };
  }, [selectedId, reloadTick, dispatch]);
}

/** Queue keys for the inbox filter. */
export function useQueueKeys() {
  const [queues, setQueues] = useState<string[]>([]);
  useEffect(() => {
    api.queues().then((q) => setQueues(q.map((x) => x.key)), reportError(i18next.t('errors.loadQueues')));
  }, []);
  return queues;
}

/** A contact's conversations, for the contact panel's history (reloaded when the current one changes). */
export function usePastConversations(contactId: string | undefined, currentId: string | undefined) {
  const [past, setPast] = useState<Conversation[]>([]);
  useEffect(() => {
    setPast([]);
    if (!contactId) return;
    let stale = false;
    api
      .conversations({ contactId, status: 'all', limit: 20 })
      .then((r) => !stale && setPast(r.conversations))
      .catch(reportError(i18next.t('errors.loadHistory')));
    return () => {
      stale = true;
    };
  }, [contactId, currentId]);
  return past;
}

/** Tags in use (the inbox's tag filter and the tag editor's suggestions). */
export function useTags(reloadKey: unknown) {
  const [tags, setTags] = useState<string[]>([]);
  useEffect(() => {
    api.tags().then((t) => setTags(t.map((x) => x.tag)), reportError(i18next.t('errors.loadTags')));
  }, [reloadKey]);
  return tags;
}
