/** The shapes the desk reads from the agent API and socket events (see CONTRACT.md and src/core/ports.ts). */
export type Channel = 'voice' | 'sms' | 'email' | 'slack';
export const CHANNELS: Channel[] = ['sms', 'voice', 'email', 'slack'];
export type Presence = 'available' | 'away' | 'offline' | 'busy' | 'wrap-up';
export type Role = 'agent' | 'supervisor' | 'admin';
export type ConversationStatus = 'waiting' | 'offered' | 'assigned' | 'resolved' | 'abandoned';

export type Agent = {
  id: string;
  email: string;
  name: string;
  role: Role;
  presence: Presence;
  capacity: Partial<Record<Channel, number>>;
  queues: { queue: string; level: number }[];
};

export type ContactRef = { id: string; name: string | null; address: string | null };

export type Conversation = {
  id: string;
  channel: Channel;
  queue: string;
  status: ConversationStatus;
  assigneeId: string | null;
  contactId: string;
  priority: number;
  subject: string | null;
  inboxAddress: string;
  createdAt: string;
  lastMessageAt: string;
  acceptedAt: string | null;
  resolvedAt: string | null;
  disposition: string | null;
  contact?: ContactRef;
};

export type Media = { url: string; contentType?: string; name?: string; size?: number };

export type Message = {
  id: string;
  conversationId: string;
  channel: Channel;
  direction: 'inbound' | 'outbound';
  body: string;
  internal: boolean;
  status: string;
  authorAgentId: string | null;
  media: Media[];
  metadata: Record<string, unknown>;
  createdAt: string;
};

export type Identity = { kind: 'phone' | 'email' | 'slack'; value: string; optedOut: boolean };
export type Contact = { id: string; name: string | null; createdAt?: string; identities: Identity[] };

export type ConversationDetail = { conversation: Conversation; contact: Contact; messages: Message[] };

export type QueueStats = {
  key: string;
  name: string;
  priority: number;
  slaSeconds: number;
  waiting: number;
  offered: number;
  assigned: number;
  longestWaitSeconds: number;
  agentsAvailable: number;
  agentsOnline: number;
  today: { created: number; answered: number; answeredInSla: number; abandoned: number };
  /** Rolling window figures, when the server reports them. */
  window?: { seconds: number; serviceLevel: number | null; abandonRate: number | null };
  /** Inside business hours now. */
  open?: boolean;
  serviceLevel: number | null;
  abandonRate: number | null;
};

export type Offer = {
  reservationId: string;
  conversationId: string;
  channel: Channel;
  queue: string;
  priority: number;
  contact: ContactRef;
  expiresAt: string;
};

export type TodayReport = {
  byChannel: { channel: Channel; count: number }[];
  byHour: ({ hour: number } & Record<Channel, number>)[];
  agentLoad: Record<string, Partial<Record<Channel, number>>>;
};

export type DirectoryAgent = { id: string; name: string; presence: Presence; queues: string[] };
