import { useTranslation } from 'react-i18next';
import { lazy, Suspense, useEffect, useState, type Dispatch } from 'react';
import { api } from '../../../api.js';
import { Empty } from '../../../components/bits.js';
import { TransferDialog } from '../../../components/transfer-dialog.js';
import { contactLabel } from '../../../format.js';
import type { DeskAction } from '../../../state/desk.js';
import type { Agent, ConversationDetail } from '../../../types.js';
import { Composer } from './composer.js';
import { ConversationFlags } from './conversation-flags.js';
import { rightsOn } from './ownership.js';
import { ConversationHeader } from './conversation-header.js';
import { ResolveDialog } from './resolve-dialog.js';
import { Timeline } from './timeline.js';
import { useFileLinks } from './use-file-links.js';

// Only supervisors review, and only now and then: the form loads when first opened.
const ReviewDialog = lazy(() => import('./review-dialog.js').then((m) => ({ default: m.ReviewDialog })));

const OPEN_STATUSES = ['waiting', 'offered', 'assigned', 'pending', 'snoozed'];

/** The middle of the desk: one conversation's header, timeline and composer, and its Resolve/Transfer dialogs. */
export function ConversationView({
  me,
  detail,
  loading,
  dispatch,
}: {
  me: Agent | null;
  detail: ConversationDetail | null;
  loading: boolean;
  dispatch: Dispatch<DeskAction>;
}) {
  const { t: tr } = useTranslation();
  const [dialog, setDialog] = useState<null | 'resolve' | 'transfer' | 'review'>(null);
  const open = !!detail && OPEN_STATUSES.includes(detail.conversation.status);
  const rights = detail ? rightsOn(detail.conversation, me) : null;
  const canResolve = open && !!rights?.canResolve;
  const canTransfer = open && !!rights?.canTransfer;
  // Alt+S / Alt+T arrive as window events from the app's shortcut handler.
  useEffect(() => {
    const r = () => canResolve && setDialog('resolve');
    const t = () => canTransfer && setDialog('transfer');
    addEventListener('sb:resolve', r);
    addEventListener('sb:transfer', t);
    return () => {
      removeEventListener('sb:resolve', r);
      removeEventListener('sb:transfer', t);
    };
  }, [canResolve, canTransfer]);
  useEffect(() => setDialog(null), [detail?.conversation.id]);
  const links = useFileLinks(detail?.conversation.id ?? '', detail?.messages ?? []);

  if (!detail) {
    return (
      <section className="conversation" aria-label={tr('conversation.label')}>
        {loading ? (
          <div className="loading">{tr('common.loading')}</div>
        ) : (
          <Empty title={tr('conversation.noneSelected')}>{tr('conversation.noneSelectedHint')}</Empty>
        )}
      </section>
    );
  }
  const c = detail.conversation;
  const { mine, canReply } = rightsOn(c, me);
  // The name loaded with the detail is only trusted while it still holds the conversation.
  const ownerName = c.assigneeId && detail.assignee?.id === c.assigneeId ? detail.assignee.name : null;
  // The server takes reviews of resolved conversations someone handled, from supervisors and admins.
  const canReview = c.status === 'resolved' && !!c.assigneeId && !!me && me.role !== 'agent';
  const contactName = contactLabel({ name: detail.contact.name, address: detail.contact.identities[0]?.value });

  return (
    <section className="conversation" aria-label={tr('conversation.with', { name: contactName })}>
      <ConversationHeader
        conversation={c}
        contactName={contactName}
        open={open}
        owner={open && !mine ? (c.assigneeId ? { name: ownerName } : { queue: c.queue }) : null}
        canTransfer={canTransfer}
        canResolve={canResolve}
        onTransfer={() => setDialog('transfer')}
        onResolve={() => setDialog('resolve')}
        canChangeStatus={!!c.assigneeId && (mine || me?.role !== 'agent')}
        dispatch={dispatch}
        onReview={canReview ? () => setDialog('review') : undefined}
      />
      <ConversationFlags conversation={c} open={open} />
      <Timeline
        messages={detail.messages}
        me={me}
        subject={c.subject}
        conversation={c}
        links={links}
        onRetry={
          open && (mine || me?.role !== 'agent')
            ? async (m) => dispatch({ type: 'message.updated', conversationId: c.id, message: await api.retry(m.id) })
            : undefined
        }
      />
      {open ? (
        <Composer key={c.id} detail={detail} me={me} mine={mine} canReply={canReply} dispatch={dispatch} />
      ) : (
        <div className="composer-closed muted">{tr('conversation.closed', { status: tr(`status.${c.status}`) })}</div>
      )}
      {dialog === 'resolve' && <ResolveDialog id={c.id} queue={c.queue} onClose={() => setDialog(null)} dispatch={dispatch} />}
      {dialog === 'transfer' && <TransferDialog id={c.id} currentQueue={c.queue} onClose={() => setDialog(null)} dispatch={dispatch} />}
      {dialog === 'review' && (
        <Suspense fallback={null}>
          <ReviewDialog conversationId={c.id} number={c.number} onClose={() => setDialog(null)} />
        </Suspense>
      )}
    </section>
  );
}
