import { useEffect, type Dispatch } from 'react';
import { api } from '../api.js';
import type { DeskAction, DeskState } from '../state/desk.js';
import { ContactPanel } from './contact-panel.js';
import { ConversationView } from './conversation-view.js';
import { Inbox } from './inbox.js';
import { Softphone } from './softphone.js';

export function Desk({ state, dispatch, reloadTick }: { state: DeskState; dispatch: Dispatch<DeskAction>; reloadTick: number }) {
  const { filters } = state;

  // The inbox: what the filters ask for, reloaded on reconnect; live events keep it current in between.
  useEffect(() => {
    let stale = false;
    api
      .conversations({
        status: filters.status,
        queue: filters.queue || undefined,
        channel: filters.channel || undefined,
        mine: filters.scope === 'mine',
        limit: 100,
      })
      .then((r) => !stale && dispatch({ type: 'conversations.loaded', conversations: r.conversations }))
      .catch(() => {});
    return () => {
      stale = true;
    };
  }, [filters.status, filters.queue, filters.channel, filters.scope, reloadTick, dispatch]);

  const selectedId = state.selectedId;
  useEffect(() => {
    if (!selectedId) return;
    let stale = false;
    api
      .conversation(selectedId)
      .then((detail) => !stale && dispatch({ type: 'detail.loaded', detail }))
      .catch(() => {});
    return () => {
      stale = true;
    };
  }, [selectedId, reloadTick, dispatch]);

  const detail = state.detail?.conversation.id === selectedId ? state.detail : null;
  const phones = detail?.contact.identities.filter((i) => i.kind === 'phone').map((i) => i.value) ?? [];

  return (
    <main className="desk">
      <Inbox state={state} dispatch={dispatch} />
      <ConversationView me={state.me} detail={detail} loading={!!selectedId && !detail} dispatch={dispatch} />
      <aside className="side" aria-label="Contact and phone">
        <ContactPanel detail={detail} onOpen={(id) => dispatch({ type: 'select', id })} />
        <Softphone dialTarget={phones[0] ?? ''} conversationId={detail?.conversation.id ?? null} />
      </aside>
    </main>
  );
}
