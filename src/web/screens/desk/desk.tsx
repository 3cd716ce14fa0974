import { useTranslation } from 'react-i18next';
import type { Dispatch } from 'react';
import type { DeskAction, DeskState } from '../../state/desk.js';
import { ContactPanel } from './contact-panel.js';
import { ConversationView } from './conversation/conversation-view.js';
import { Inbox } from './inbox.js';
import { Softphone } from './softphone.js';
import { useConversationLoader, useInboxLoader } from './use-desk-data.js';

/** The agent desk: inbox, the selected conversation, the contact and the softphone. */
export function Desk({ state, dispatch, reloadTick }: { state: DeskState; dispatch: Dispatch<DeskAction>; reloadTick: number }) {
  const { t } = useTranslation();

  useInboxLoader(state.filters, reloadTick, dispatch);
  const selectedId = state.selectedId;
  useConversationLoader(selectedId, reloadTick, dispatch);

  const detail = state.detail?.conversation.id === selectedId ? state.detail : null;
  const phones = detail?.contact.identities.filter((i) => i.kind === 'phone').map((i) => i.value) ?? [];

  return (
    <main className="desk">
      <Inbox state={state} dispatch={dispatch} />
      <ConversationView me={state.me} detail={detail} loading={!!selectedId && !detail} dispatch={dispatch} />
      <aside className="side" aria-label={t('desk.side')}>
        <ContactPanel detail={detail} onOpen={(id) => dispatch({ type: 'select', id })} dispatch={dispatch} />
        <Softphone dialTarget={phones[0] ?? ''} conversationId={detail?.conversation.id ?? null} />
      </aside>
    </main>
  );
}
