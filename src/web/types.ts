/** The shapes the desk reads from the agent API and socket events (see CONTRACT.md and src/core/ports.ts). */
import type { PublicAgent } from '../core/agents/manage-agents.js';
import type { PublicAuditEntry } from '../core/audit/list-audit.js';
import type { IncidentProposal, PublicConversation, PublicIncident, PublicMessage, RealtimeEvents } from '../core/ports.js';
import type { Suggestion } from '../core/incidents/suggestions.js';
import type { SearchResult } from '../core/requests/search.js';
import type { QueueStats as ServerQueueStats } from '../core/routing/queue-stats.js';
import type { PublicReview } from '../core/quality/reviews.js';
import type { Channel, ConversationStatus, IdentityKind, Presence, Role } from '../db/schema.js';

// The API's shapes come from the server's own types (type-only imports: nothing of the server is bundled).
export type { Channel, ConversationStatus, Presence, Role };
export const CHANNELS: Channel[] = ['sms', 'voice', 'email', 'slack'];

export type Agent = PublicAgent;
export type AuditEntry = PublicAuditEntry;
export type ContactRef = RealtimeEvents['reservation.created']['contact'];
export type Conversation = PublicConversation & { contact?: ContactRef };
export type Message = PublicMessage;
export type Media = Message['media'][number];

/** A signed link to one media item of a message (`GET /api/conversations/:id/files`). */
export type FileLink = {
  messageId: string;
  index: number;
  kind: 'attachment' | 'recording';
  name: string | null;
  contentType: string | null;
  size: number | null;
  url: string;
  expiresAt: string;
};

export type Identity = { kind: IdentityKind; value: string; optedOut: boolean };
export type { SearchResult };
/** `GET /api/contacts/:id`: the editable contact, its addresses and its conversations across channels. */
export type ContactCard = {
  contact: {
    id: string;
    name: string | null;
    language: 'en' | 'es' | null;
    notes: string | null;
    attributes: Record<string, string>;
    createdAt: string;
  };
  identities: (Identity & { id: string })[];
  conversations: Conversation[];
};
/** A contact in a list (`GET /api/contacts`, `…/similar`); `reasons` says why it looks like another one. */
export type SimilarContact = ContactCard['contact'] & {
  identities: (Identity & { id: string })[];
  reasons?: ('email' | 'phone' | 'name')[];
};
export type Contact = { id: string; name: string | null; language?: 'en' | 'es' | null; createdAt?: string; identities: Identity[] };
export type { PublicCannedResponse as CannedResponse } from '../core/content/canned-responses.js';
export type { PublicDisposition as Disposition } from '../core/content/dispositions.js';
/** `GET /api/ivr-flows`: the flows as trees with the `npm run ivr:check` result. */
export type { FlowsCheck, FlowTreeNode } from '../ivr/check-flows.js';
export type Inbox = {
  id: string;
  kind: 'phone' | 'email' | 'slack';
  address: string;
  queue: string;
  flow: string | null;
  createdAt: string;
};

export type ConversationDetail = {
  conversation: Conversation;
  /** Who held it when it was loaded (an extension of `GET /api/conversations/:id`). */
  assignee?: { id: string; name: string } | null;
  contact: Contact;
  messages: Message[];
};

export type QueueStats = ServerQueueStats;

export type Offer = RealtimeEvents['reservation.created'];

/** Crisis and incidents (docs/crisis.md). */
export type CrisisAlert = RealtimeEvents['crisis.detected'];
/** A score of 1 or 2 (supervisors and admins). */
export type CsatAlert = RealtimeEvents['csat.low'];
export type Incident = PublicIncident;
export type { IncidentProposal };
export type IncidentSuggestion = Suggestion;

export type TodayReport = {
  byChannel: { channel: Channel; count: number }[];
  byHour: ({ hour: number } & Record<Channel, number>)[];
  agentLoad: Record<string, Partial<Record<Channel, number>>>;
};

/** Where a conversation may be handed (GET /api/conversations/:id/transfer-targets). */
export type TransferTargets = {
  queues: { key: string; name: string; agentsAvailable: number }[];
  agents: { id: string; name: string; presence: Presence; selectable: boolean; reason: string | null }[];
};
export type TransferTarget = ({ queue: string } | { agentId: string }) & { note?: string };

export type DirectoryAgent = { id: string; name: string; presence: Presence; queues: string[] };

export type { GroupBy as ReportGroupBy, SummaryRow as ReportRow } from '../core/reports/summary.js';
export type { ConversationLine as ReportConversation } from '../core/reports/conversation-export.js';
export type Review = PublicReview;
export type { ScorecardCriterion } from '../db/schema.js';
/** `GET /api/reviews`: a page of reviews and the averages over all that match (per criterion key too). */
export type ReviewList = { reviews: Review[]; count: number; average: number | null; criteria: Record<string, number> };
