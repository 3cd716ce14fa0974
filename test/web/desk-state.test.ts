import { describe, expect, it } from 'vitest';
import {
  deskReducer,
  initialDesk,
  secondsLeft,
  totalUnread,
  visibleConversations,
  type DeskAction,
  type DeskState,
} from '../../src/web/state/desk.js';
import type { Agent, Conversation, Message, QueueStats } from '../../src/web/types.js';
import { slashQuery } from '../../src/web/screens/desk/conversation/use-canned.js';
import { initials, waitLabel } from '../../src/web/format.js';
import { breached, liveWait } from '../../src/web/screens/wallboard/figures.js';

const me: Agent = {
  id: 'a1',
  email: 'dana@example.org',
  name: 'Dana Reyes',
  role: 'agent',
  presence: 'available',
  capacity: { voice: 1, sms: 3, email: 5, slack: 3 },
  queues: [{ queue: 'donor', level: 3 }],
  active: true,
  mfaEnabled: false,
  language: 'en',
  mustChangePassword: false,
  createdAt: '2026-11-23T09:00:00.000Z',
};

function conv(id: string, over: Partial<Conversation> = {}): Conversation {
  return {
    id,
    number: 1000,
    channel: 'sms',
    queue: 'donor',
    status: 'assigned',
    snoozedUntil: null,
    pendingSince: null,
    tags: [],
    assigneeId: 'a1',
    contactId: 'c-' + id,
    priority: 10,
    subject: null,
    inboxAddress: '+15005550006',
    createdAt: '2026-01-01T10:00:00Z',
    lastMessageAt: '2026-01-01T10:00:00Z',
    acceptedAt: null,
    resolvedAt: null,
    disposition: null,
    wrapUpNote: null,
    risk: null,
    sla: { firstResponseDueAt: null, firstResponseAt: null, nextResponseDueAt: null, resolutionDueAt: null, breaches: [] },
    dueAt: null,
    contact: { id: 'c-' + id, name: null, address: '+15551230000' },
    ...over,
  };
}
function msg(id: string, conversationId: string, over: Partial<Message> = {}): Message {
  return {
    id,
    conversationId,
    channel: 'sms',
    direction: 'inbound',
    body: 'hi',
    internal: false,
    status: 'received',
    error: null,
    authorAgentId: null,
    media: [],
    metadata: {},
    createdAt: '2026-01-01T10:05:00Z',
    ...over,
  };
}
const run = (...actions: DeskAction[]) => actions.reduce(deskReducer, { ...initialDesk, me } as DeskState);

describe('the desk state', () => {
  it('a message for a conversation not on screen counts as unread until it is opened', () => {
    let s = run({ type: 'conversations.loaded', conversations: [conv('x'), conv('y')] }, { type: 'select', id: 'y' });
    s = deskReducer(s, { type: 'message.created', conversationId: 'x', message: msg('m1', 'x') });
    s = deskReducer(s, { type: 'message.created', conversationId: 'x', message: msg('m2', 'x') });
    s = deskReducer(s, { type: 'message.created', conversationId: 'y', message: msg('m3', 'y') });
    expect(s.unread).toEqual({ x: 2 });
    expect(totalUnread(s)).toBe(2);
    // Our own replies and internal notes never count.
    s = deskReducer(s, { type: 'message.created', conversationId: 'x', message: msg('m4', 'x', { direction: 'outbound' }) });
    s = deskReducer(s, { type: 'message.created', conversationId: 'x', message: msg('m5', 'x', { internal: true }) });
    expect(s.unread.x).toBe(2);
    s = deskReducer(s, { type: 'select', id: 'x' });
    expect(s.unread.x).toBeUndefined();
  });

  it('live messages join the open timeline once, and move the conversation to the top', () => {
    let s = run(
      { type: 'conversations.loaded', conversations: [conv('x'), conv('y', { lastMessageAt: '2026-01-01T10:01:00Z' })] },
      { type: 'select', id: 'x' },
    );
    expect(visibleConversations(s).map((c) => c.id)).toEqual(['y', 'x']);
    s = deskReducer(s, {
      type: 'detail.loaded',
      detail: { conversation: conv('x'), contact: { id: 'c-x', name: null, identities: [] }, messages: [msg('m1', 'x')] },
    });
    const m2 = msg('m2', 'x', { createdAt: '2026-01-01T10:09:00Z' });
    s = deskReducer(s, { type: 'message.created', conversationId: 'x', message: m2 });
    // The API answer to our own send and the socket event both arrive: still one message.
    s = deskReducer(s, { type: 'message.created', conversationId: 'x', message: { ...m2, status: 'queued' } });
    expect(s.detail!.messages.map((m) => [m.id, m.status])).toEqual([
      ['m1', 'received'],
      ['m2', 'queued'],
    ]);
    expect(visibleConversations(s).map((c) => c.id)).toEqual(['x', 'y']);
  });

  it('a reload answered after a live message keeps it, once', () => {
    const detail = (messages: Message[]) => ({
      type: 'detail.loaded' as const,
      detail: { conversation: conv('x'), contact: { id: 'c-x', name: null, identities: [] }, messages },
    });
    const m1 = msg('m1', 'x');
    const m2 = msg('m2', 'x', { createdAt: '2026-01-01T10:09:00Z' });
    let s = run({ type: 'conversations.loaded', conversations: [conv('x')] }, { type: 'select', id: 'x' }, detail([m1]));
    s = deskReducer(s, { type: 'message.created', conversationId: 'x', message: m2 });
    // A reconnect's reload, read before m2 committed, answers now.
    s = deskReducer(s, detail([m1]));
    expect(s.detail!.messages.map((m) => m.id)).toEqual(['m1', 'm2']);
    // A later reload has it: shown once, as loaded.
    s = deskReducer(s, detail([m1, { ...m2, status: 'read' }]));
    expect(s.detail!.messages.map((m) => [m.id, m.status])).toEqual([
      ['m1', 'received'],
      ['m2', 'read'],
    ]);
    // Another conversation's answer brings none of these.
    s = deskReducer(s, { type: 'select', id: 'y' });
    s = deskReducer(s, { ...detail([]), detail: { ...detail([]).detail, conversation: conv('y') } });
    expect(s.detail!.messages).toEqual([]);
  });

  it('a reply that failed shows its reason in place, and an update for a message not on screen changes nothing', () => {
    let s = run({ type: 'conversations.loaded', conversations: [conv('x')] }, { type: 'select', id: 'x' });
    const m1 = msg('m1', 'x', { direction: 'outbound', status: 'sending' });
    s = deskReducer(s, {
      type: 'detail.loaded',
      detail: { conversation: conv('x'), contact: { id: 'c-x', name: null, identities: [] }, messages: [m1] },
    });
    s = deskReducer(s, {
      type: 'message.updated',
      conversationId: 'x',
      message: { ...m1, status: 'failed', error: 'error 21211: invalid number' },
    });
    expect(s.detail!.messages).toMatchObject([{ id: 'm1', status: 'failed', error: 'error 21211: invalid number' }]);
    const same = deskReducer(s, { type: 'message.updated', conversationId: 'x', message: msg('m9', 'x') });
    expect(same).toBe(s);
    expect(s.unread.x).toBeUndefined();
  });

  it('a detail answer for a conversation no longer selected is dropped', () => {
    let s = run({ type: 'select', id: 'a' }, { type: 'select', id: 'b' });
    s = deskReducer(s, {
      type: 'detail.loaded',
      detail: { conversation: conv('a'), contact: { id: 'c-a', name: null, identities: [] }, messages: [] },
    });
    expect(s.detail).toBeNull();
  });

  it('filters the inbox by scope, channel, queue and status', () => {
    const s = run({
      type: 'conversations.loaded',
      conversations: [
        conv('mine-sms'),
        conv('mine-email', { channel: 'email' }),
        conv('theirs', { assigneeId: 'a2' }),
        conv('waiting', { status: 'waiting', assigneeId: null, queue: 'volunteer' }),
        conv('done', { status: 'resolved' }),
      ],
    });
    const ids = (f: Partial<DeskState['filters']>) =>
      visibleConversations(deskReducer(s, { type: 'filters', filters: f }))
        .map((c) => c.id)
        .sort();
    expect(ids({})).toEqual(['mine-email', 'mine-sms']);
    expect(ids({ channel: 'email' })).toEqual(['mine-email']);
    expect(ids({ scope: 'queues' })).toEqual(['mine-email', 'mine-sms', 'theirs', 'waiting']);
    expect(ids({ scope: 'queues', queue: 'volunteer' })).toEqual(['waiting']);
    expect(ids({ scope: 'queues', status: 'resolved' })).toEqual(['done']);
    expect(ids({ scope: 'queues', status: 'all' })).toHaveLength(5);
  });

  it('sorts by SLA due time (none last), filters by tag and by pending/snoozed', () => {
    const s = run({
      type: 'conversations.loaded',
      conversations: [
        conv('no-clock', { lastMessageAt: '2026-01-01T12:00:00Z' }),
        conv('later', { dueAt: '2026-01-02T10:00:00Z', tags: ['refund'] }),
        conv('overdue', { dueAt: '2026-01-01T09:00:00Z', tags: ['refund', 'vip'] }),
        conv('waiting-on-them', { status: 'pending', dueAt: null }),
        conv('aside', { status: 'snoozed' }),
      ],
    });
    const list = (f: Partial<DeskState['filters']>) =>
      visibleConversations(deskReducer(s, { type: 'filters', filters: f })).map((c) => c.id);
    expect(list({ sort: 'due', status: 'assigned' })).toEqual(['overdue', 'later', 'no-clock']);
    expect(list({ sort: 'recent', status: 'assigned' })[0]).toBe('no-clock');
    expect(list({ tag: 'refund', sort: 'due' })).toEqual(['overdue', 'later']);
    expect(list({ tag: 'vip' })).toEqual(['overdue']);
    expect(list({ status: 'pending' })).toEqual(['waiting-on-them']);
    expect(list({ status: 'snoozed' })).toEqual(['aside']);
  });

  it('socket updates keep the contact the list gave and follow assignment', () => {
    let s = run({ type: 'conversations.loaded', conversations: [conv('x', { status: 'waiting', assigneeId: null })] });
    const { contact: _c, ...bare } = conv('x', { status: 'offered', assigneeId: null });
    s = deskReducer(s, { type: 'conversation.updated', conversation: bare });
    expect(s.conversations.x).toMatchObject({ status: 'offered', contact: { address: '+15551230000' } });
    s = deskReducer(s, { type: 'conversation.assigned', conversationId: 'x', agentId: 'a1' });
    expect(s.conversations.x).toMatchObject({ status: 'assigned', assigneeId: 'a1' });
  });

  it('offers appear once and go when answered or canceled; presence events touch only me', () => {
    const offer = {
      reservationId: 'r1',
      conversationId: 'x',
      channel: 'sms' as const,
      queue: 'donor',
      priority: 10,
      contact: { id: 'c', name: null, address: '+1555' },
      preview: 'Hi',
      expiresAt: '2026-01-01T10:00:30Z',
    };
    let s = run({ type: 'offer.created', offer }, { type: 'offer.created', offer });
    expect(s.offers).toHaveLength(1);
    expect(secondsLeft(offer, Date.parse('2026-01-01T10:00:10.2Z'))).toBe(20);
    expect(secondsLeft(offer, Date.parse('2026-01-01T10:01:00Z'))).toBe(0);
    s = deskReducer(s, { type: 'offer.removed', reservationId: 'r1' });
    expect(s.offers).toHaveLength(0);
    s = deskReducer(s, { type: 'presence', agentId: 'someone-else', presence: 'away' });
    expect(s.me!.presence).toBe('available');
    s = deskReducer(s, { type: 'presence', agentId: 'a1', presence: 'busy' });
    expect(s.me!.presence).toBe('busy');
  });
});

describe('desk helpers', () => {
  it('finds the `/` search at the start of the line being typed', () => {
    expect(slashQuery('/don ch')).toBe('don ch');
    expect(slashQuery('Thanks!\n/rec')).toBe('rec');
    expect(slashQuery('see https://x.org/rec')).toBeNull();
    expect(slashQuery('/done\nand more')).toBeNull();
  });

  it('formats waits and initials', () => {
    expect(waitLabel(42)).toBe('42s');
    expect(waitLabel(185)).toBe('3m 05s');
    expect(waitLabel(3720)).toBe('1h 02m');
    expect(initials('Dana Reyes')).toBe('DR');
    expect(initials('+15551230000')).toBe('');
  });

  it('the wallboard advances the longest wait between updates and flags SLA breaches', () => {
    const period = {
      created: 1,
      answered: 0,
      answeredInSla: 0,
      abandoned: 0,
      offers: { accepted: 0, rejected: 0, timedOut: 0, canceled: 0 },
      serviceLevel: null,
      abandonRate: null,
    };
    const q: QueueStats = {
      key: 'donor',
      name: 'Donor',
      priority: 10,
      slaSeconds: 60,
      maxWaitSeconds: 600,
      businessHours: null,
      escalation: [],
      sla: null,
      autoReply: null,
      csat: true,
      csatVoice: false,
      callbackOrder: 'afterLive',
      slaBreachedOpen: 0,
      emailFrom: null,
      autoResolvePendingSeconds: null,
      open: true,
      waiting: 1,
      offered: 0,
      assigned: 0,
      longestWaitSeconds: 50,
      byPriority: { 10: 1 },
      agentsAvailable: 0,
      agentsOnline: 0,
      agentsEligible: 0,
      window: { ...period, seconds: 3600 },
      today: period,
      serviceLevel: null,
      abandonRate: null,
    };
    const fetched = 1_000_000;
    expect(liveWait(q, fetched, fetched + 5_000)).toBe(55);
    expect(breached(q, liveWait(q, fetched, fetched + 5_000))).toBe(false);
    expect(breached(q, liveWait(q, fetched, fetched + 15_000))).toBe(true);
    // Nobody waiting: no wait and no breach, whatever the last figure said.
    expect(liveWait({ ...q, waiting: 0 }, fetched, fetched + 99_000)).toBe(0);
  });
});
