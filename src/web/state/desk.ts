import { serverNow } from '../clock.js';
import type { Agent, Channel, Conversation, ConversationDetail, Message, Offer, Presence } from '../types.js';

/**
 * The agent desk's client state as one pure reducer: API loads and socket
 * events both become actions, so the live behaviour is testable without a browser.
 */
export type Filters = {
  scope: 'mine' | 'queues';
  channel: Channel | '';
  queue: string;
  status: 'open' | 'waiting' | 'assigned' | 'pending' | 'snoozed' | 'resolved' | 'all';
  /** `recent`: latest activity first; `due`: the nearest SLA due time first (those without one last). */
  sort: 'recent' | 'due';
  /** Only conversations carrying this tag ('' = any). */
  tag: string;
};

export type DeskState = {
  me: Agent | null;
  connection: 'connecting' | 'online' | 'offline';
  conversations: Record<string, Conversation>;
  unread: Record<string, number>;
  offers: Offer[];
  selectedId: string | null;
  detail: ConversationDetail | null;
  filters: Filters;
};

export type DeskAction =
  | { type: 'me'; agent: Agent }
  | { type: 'presence'; agentId: string; presence: Presence }
  | { type: 'connection'; status: DeskState['connection'] }
  | { type: 'conversations.loaded'; conversations: Conversation[] }
  | { type: 'conversation.updated'; conversation: Conversation }
  | { type: 'conversation.assigned'; conversationId: string; agentId: string }
  | { type: 'message.created'; conversationId: string; message: Message }
  | { type: 'message.updated'; conversationId: string; message: Message }
  | { type: 'offer.created'; offer: Offer }
  | { type: 'offer.removed'; reservationId: string }
  | { type: 'select'; id: string | null }
  | { type: 'detail.loaded'; detail: ConversationDetail }
  /** A contact renamed from the contact panel: the header and the inbox show the new name at once. */
  | { type: 'contact.renamed'; contactId: string; name: string | null }
  | { type: 'filters'; filters: Partial<Filters> };

export const initialDesk: DeskState = {
  me: null,
  connection: 'connecting',
  conversations: {},
  unread: {},
  offers: [],
  selectedId: null,
  detail: null,
  filters: { scope: 'mine', channel: '', queue: '', status: 'open', sort: 'recent', tag: '' },
};

const OPEN = new Set(['waiting', 'offered', 'assigned', 'pending', 'snoozed']);

export function deskReducer(state: DeskState, action: DeskAction): DeskState {
  switch (action.type) {
    case 'me':
      return { ...state, me: action.agent };
    case 'presence':
      return state.me && state.me.id === action.agentId ? { ...state, me: { ...state.me, presence: action.presence } } : state;
    case 'connection':
      return { ...state, connection: action.status };
    case 'conversations.loaded': {
      const conversations = { ...state.conversations };
      for (const c of action.conversations) conversations[c.id] = { ...conversations[c.id], ...c };
      return { ...state, conversations };
    }
    case 'conversation.updated': {
      const prev = state.conversations[action.conversation.id];
      // Socket payloads carry no contact; keep the one the list gave us.
      const merged = { ...prev, ...action.conversation, contact: action.conversation.contact ?? prev?.contact };
      const detail =
        state.detail?.conversation.id === merged.id
          ? { ...state.detail, conversation: mergeDetail(state.detail.conversation, action.conversation) }
          : state.detail;
      return { ...state, conversations: { ...state.conversations, [merged.id]: merged }, detail };
    }
    case 'conversation.assigned': {
      const c = state.conversations[action.conversationId];
      if (!c) return state;
      return { ...state, conversations: { ...state.conversations, [c.id]: { ...c, status: 'assigned', assigneeId: action.agentId } } };
    }
    case 'message.created': {
      const { conversationId, message } = action;
      const c = state.conversations[conversationId];
      const conversations = c ? { ...state.conversations, [c.id]: { ...c, lastMessageAt: message.createdAt } } : state.conversations;
      let detail = state.detail;
      if (detail?.conversation.id === conversationId && !detail.messages.some((m) => m.id === message.id)) {
        detail = { ...detail, messages: [...detail.messages, message] };
      } else if (detail?.conversation.id === conversationId) {
        detail = { ...detail, messages: detail.messages.map((m) => (m.id === message.id ? message : m)) };
      }
      const counts = message.direction === 'inbound' && !message.internal && state.selectedId !== conversationId;
      const unread = counts ? { ...state.unread, [conversationId]: (state.unread[conversationId] ?? 0) + 1 } : state.unread;
      return { ...state, conversations, detail, unread };
    }
    case 'message.updated': {
      // A status change (sent, delivered, failed with its reason) of a message already shown.
      const { conversationId, message } = action;
      const detail = state.detail;
      if (detail?.conversation.id !== conversationId || !detail.messages.some((m) => m.id === message.id)) return state;
      return { ...state, detail: { ...detail, messages: detail.messages.map((m) => (m.id === message.id ? message : m)) } };
    }
    case 'offer.created':
      if (state.offers.some((o) => o.reservationId === action.offer.reservationId)) return state;
      return { ...state, offers: [...state.offers, action.offer] };
    case 'offer.removed':
      return { ...state, offers: state.offers.filter((o) => o.reservationId !== action.reservationId) };
    case 'select': {
      const unread = { ...state.unread };
      if (action.id) delete unread[action.id];
      const detail = state.detail?.conversation.id === action.id ? state.detail : null;
      return { ...state, selectedId: action.id, unread, detail };
    }
    case 'detail.loaded': {
      if (action.detail.conversation.id !== state.selectedId) return state;
      const prev = state.conversations[action.detail.conversation.id];
      const c = action.detail.conversation;
      const contact = {
        id: action.detail.contact.id,
        name: action.detail.contact.name,
        address: action.detail.contact.identities[0]?.value ?? null,
      };
      return {
        ...state,
        detail: { ...action.detail, messages: withNewerLive(action.detail.messages, state.detail, c.id) },
        conversations: { ...state.conversations, [c.id]: { ...prev, ...c, contact: prev?.contact ?? contact } },
      };
    }
    case 'contact.renamed': {
      const { contactId, name } = action;
      const conversations = { ...state.conversations };
      for (const c of Object.values(conversations))
        if (c.contact?.id === contactId) conversations[c.id] = { ...c, contact: { ...c.contact, name } };
      const detail =
        state.detail?.contact.id === contactId ? { ...state.detail, contact: { ...state.detail.contact, name } } : state.detail;
      return { ...state, conversations, detail };
    }
    case 'filters':
      return { ...state, filters: { ...state.filters, ...action.filters } };
  }
}

/**
 * A reload (a reconnect, an unknown conversation) read before a live message committed answers
 * without it, after the socket pushed it: the messages shown that are newer than everything the
 * answer has stay.
 */
function withNewerLive(loaded: Message[], shown: DeskState['detail'], conversationId: string): Message[] {
  if (shown?.conversation.id !== conversationId) return loaded;
  const ids = new Set(loaded.map((m) => m.id));
  const newest = Math.max(-Infinity, ...loaded.map((m) => Date.parse(m.createdAt)));
  const live = shown.messages.filter((m) => !ids.has(m.id) && Date.parse(m.createdAt) > newest);
  return live.length > 0 ? [...loaded, ...live] : loaded;
}

/** Most events carry no disposition label: keep the one loaded unless the code itself changed. */
function mergeDetail(prev: Conversation, next: Conversation): Conversation {
  const merged = { ...prev, ...next };
  if (next.dispositionLabel === undefined && next.disposition !== prev.disposition) delete merged.dispositionLabel;
  return merged;
}

/** The inbox list for the current filters, most recent activity first. */
export function visibleConversations(state: DeskState): Conversation[] {
  const { filters: f, me } = state;
  return Object.values(state.conversations)
    .filter((c) => {
      if (f.scope === 'mine' && c.assigneeId !== me?.id) return false;
      if (f.channel && c.channel !== f.channel) return false;
      if (f.queue && c.queue !== f.queue) return false;
      if (f.status === 'open' && !OPEN.has(c.status)) return false;
      if (f.status !== 'open' && f.status !== 'all' && c.status !== f.status) return false;
      if (f.tag && !c.tags.includes(f.tag)) return false;
      return true;
    })
    .sort(
      (a, b) =>
        (f.sort === 'due' ? byDue(a, b) : 0) || Date.parse(b.lastMessageAt) - Date.parse(a.lastMessageAt) || b.id.localeCompare(a.id),
    );
}

/** Nearest SLA due time first; conversations with no running clock after all those with one. */
function byDue(a: Conversation, b: Conversation): number {
  const da = a.dueAt ? Date.parse(a.dueAt) : Infinity;
  const db = b.dueAt ? Date.parse(b.dueAt) : Infinity;
  return da === db ? 0 : da < db ? -1 : 1;
}

/** Seconds left on an offer (never negative), on the server's clock. */
export const secondsLeft = (offer: Pick<Offer, 'expiresAt'>, now = serverNow()) =>
  Math.max(0, Math.ceil((Date.parse(offer.expiresAt) - now) / 1000));

export const totalUnread = (state: DeskState) => Object.values(state.unread).reduce((a, b) => a + b, 0);
