/** Every call the desk makes to Switchboard's API, in one place (screens never build URLs themselves). */
import type {
  Agent,
  AuditEntry,
  ContactCard,
  CannedResponse,
  Disposition,
  FlowsCheck,
  Inbox,
  Conversation,
  ConversationDetail,
  DirectoryAgent,
  FileLink,
  Message,
  Offer,
  QueueStats,
  ReportConversation,
  Review,
  ReviewList,
  ScorecardCriterion,
  ReportRow,
  SearchResult,
  CrisisAlert,
  Incident,
  IncidentProposal,
  IncidentSuggestion,
  SimilarContact,
  TodayReport,
  TransferTarget,
  TransferTargets,
} from './types.js';

/** An API error with the server's `{error: {code, message}}` body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds, from Retry-After (429, 503). */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

type Session = { token: string; expiresAt: number };

/**
 * The access token lives in memory only (docs/security.md, "Tokens"): a script injected into
 * the page could not carry it away for long, and the refresh token stays in an httpOnly cookie
 * no script can read. A reload or a new tab resumes the session from that cookie.
 */
let current: Session | null = null;
if (typeof localStorage !== 'undefined') localStorage.removeItem('switchboard.session'); // where earlier versions kept a 12-hour token

export const session = {
  get(): Session | null {
    return current && current.expiresAt > Date.now() ? current : null;
  },
  set(token: string, expiresInSeconds: number) {
    current = { token, expiresAt: Date.now() + expiresInSeconds * 1000 };
  },
  clear() {
    current = null;
  },
  /** Milliseconds until the access token expires (0 when there is none). */
  remainingMs: () => Math.max(0, (current?.expiresAt ?? 0) - Date.now()),
};

let onUnauthorized: () => void = () => {};
export const setUnauthorizedHandler = (fn: () => void) => {
  onUnauthorized = fn;
};

// One refresh at a time: a burst of 401s (or two timers) share it.
let refreshing: Promise<string> | null = null;
/** A new access token from the refresh cookie; rejects when the session is over or revoked. */
export function refreshSession(): Promise<string> {
  refreshing ??= (async () => {
    try {
      const res = await fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin' });
      if (!res.ok) throw new ApiError(res.status, 'unauthorized', 'session ended');
      const r = (await res.json()) as { token: string; expiresIn: number };
      session.set(r.token, r.expiresIn);
      return r.token;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

const AUTH_PATHS = ['/api/auth/login', '/api/auth/refresh', '/api/auth/logout'];

export async function request<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
  const headers: Record<string, string> = {};
  const s = session.get();
  if (s) headers.authorization = `Bearer ${s.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach Switchboard. Check your connection.');
  }
  const text = await res.text();
  const data = text ? (safeJson(text) as any) : null;
  if (!res.ok) {
    if (res.status === 401 && !AUTH_PATHS.includes(path)) {
      // An expired access token: renew it from the cookie once and try again; a revoked one ends the session.
      if (
        !retried &&
        (await refreshSession().then(
          () => true,
          () => false,
        ))
      )
        return request<T>(method, path, body, true);
      onUnauthorized();
    }
    const retryAfter = res.headers.get('retry-after');
    throw new ApiError(
      res.status,
      data?.error?.code ?? 'http_' + res.status,
      data?.error?.message ?? res.statusText,
      retryAfter ? Number(retryAfter) : undefined,
    );
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const q = (params: Record<string, string | number | boolean | undefined>) => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
};

/** A CSV export, fetched with the bearer token (a plain link could not carry it); the screen hands it to the browser as a file. */
async function downloadCsv(path: string): Promise<Blob> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${session.get()?.token ?? ''}` } });
  if (!res.ok) throw new ApiError(res.status, 'http_' + res.status, 'export failed');
  return res.blob();
}

/** A one-time set-password link (POST /api/agents/:id/invite). */
export type Invite = { url: string; expiresAt: string };

export const api = {
  /** The invitation page: who the link is for, then the chosen password (answers the email to sign in with). */
  invite: {
    show: (token: string) =>
      request<{ invite: { email: string; name: string; expiresAt: string } }>('GET', `/api/invites/${encodeURIComponent(token)}`).then(
        (r) => r.invite,
      ),
    accept: (token: string, password: string) =>
      request<{ email: string }>('POST', `/api/invites/${encodeURIComponent(token)}`, { password }),
  },
  async login(email: string, password: string, code?: string) {
    const r = await request<{ token: string; expiresIn: number; agent: Agent }>('POST', '/api/auth/login', {
      email,
      password,
      ...(code ? { code } : {}),
    });
    session.set(r.token, r.expiresIn);
    return r.agent;
  },
  refresh: refreshSession,
  async logout() {
    session.clear();
    // keepalive: the request completes even if the tab is closing.
    await fetch('/api/auth/logout', { method: 'POST', keepalive: true }).catch(() => {});
  },
  authOptions: () => request<{ password: boolean; oidc: { label: string; start: string } | null }>('GET', '/api/auth/options'),
  me: () => request<{ agent: Agent }>('GET', '/api/me').then((r) => r.agent),
  meWithAccess: () => request<{ agent: Agent; mfaEnrolmentRequired: boolean; passwordChangeRequired: boolean }>('GET', '/api/me'),
  mfaStatus: () => request<{ enabled: boolean; recoveryCodesLeft: number; required: boolean }>('GET', '/api/me/mfa'),
  mfaSetup: () => request<{ secret: string; otpauthUrl: string }>('POST', '/api/me/mfa/setup'),
  mfaEnable: (code: string) => request<{ recoveryCodes: string[] }>('POST', '/api/me/mfa/enable', { code }),
  mfaDisable: (code: string) => request<void>('DELETE', '/api/me/mfa', { code }),
  mfaNewRecoveryCodes: (code: string) => request<{ recoveryCodes: string[] }>('POST', '/api/me/mfa/recovery-codes', { code }),
  async changePassword(current: string, password: string) {
    const r = await request<{ token: string; expiresIn: number }>('PUT', '/api/me/password', { current, password });
    session.set(r.token, r.expiresIn);
  },
  audit: (query: Record<string, string | undefined>) =>
    request<{ entries: AuditEntry[]; nextCursor: string | null }>('GET', `/api/audit${q(query)}`),
  /** The CSV export (fetched with the bearer token, handed to the browser as a file by the screen). */
  auditCsv: (query: Record<string, string | undefined>) => downloadCsv(`/api/audit${q({ ...query, format: 'csv' })}`),
  /** Reports over a range of the organisation's days (docs/reports.md); `query` holds from, to, groupBy and the narrowing filters. */
  reports: {
    summary: (query: Record<string, string | undefined>) =>
      request<{ rows: ReportRow[]; total: ReportRow; timezone: string }>('GET', `/api/reports/summary${q(query)}`),
    conversations: (query: Record<string, string | undefined>) =>
      request<{ conversations: ReportConversation[]; total: number }>(
        'GET',
        `/api/reports/conversations${q({ ...query, format: 'json', limit: 200 })}`,
      ),
    summaryCsv: (query: Record<string, string | undefined>) => downloadCsv(`/api/reports/summary${q({ ...query, format: 'csv' })}`),
    conversationsCsv: (query: Record<string, string | undefined>) => downloadCsv(`/api/reports/conversations${q(query)}`),
  },
  auditActions: () => request<{ actions: { action: string; description: string }[] }>('GET', '/api/audit/actions').then((r) => r.actions),
  pendingOffers: () => request<{ reservations: Offer[] }>('GET', '/api/reservations').then((r) => r.reservations),
  setStatus: (status: string) => request<{ agent: Agent }>('PUT', '/api/me/status', { status }).then((r) => r.agent),
  conversations: (f: {
    status?: string;
    queue?: string;
    channel?: string;
    mine?: boolean;
    tag?: string;
    contactId?: string;
    limit?: number;
    cursor?: string;
  }) =>
    request<{ conversations: Conversation[]; nextCursor: string | null }>(
      'GET',
      `/api/conversations${q({ ...f, mine: f.mine ? 'true' : undefined })}`,
    ),
  conversation: (id: string) => request<ConversationDetail>('GET', `/api/conversations/${id}`),
  /** Signed, short-lived links to the conversation's attachments and recordings (an <img> or <audio> cannot send the token). */
  conversationFiles: (id: string) => request<{ files: FileLink[] }>('GET', `/api/conversations/${id}/files`).then((r) => r.files),
  /** Status (pending, snoozed with a time, assigned to take it back) and/or the whole set of tags. */
  patchConversation: (id: string, patch: { status?: 'pending' | 'snoozed' | 'assigned'; snoozedUntil?: string; tags?: string[] }) =>
    request<{ conversation: Conversation }>('PATCH', `/api/conversations/${id}`, patch).then((r) => r.conversation),
  byNumber: (number: number) =>
    request<{ conversations: Conversation[] }>('GET', `/api/conversations${q({ number })}`).then((r) => r.conversations[0] ?? null),
  tags: () => request<{ tags: { tag: string; conversations: number }[] }>('GET', '/api/tags').then((r) => r.tags),
  search: (text: string) => request<{ results: SearchResult[] }>('GET', `/api/search${q({ q: text })}`).then((r) => r.results),
  contact: (id: string) => request<ContactCard>('GET', `/api/contacts/${id}`),
  updateContact: (
    id: string,
    patch: { name?: string | null; language?: 'en' | 'es' | null; notes?: string | null; attributes?: Record<string, string> },
  ) => request<ContactCard>('PATCH', `/api/contacts/${id}`, patch),
  /** Other contacts who look like this one (same email, phone or name): merge candidates. */
  similarContacts: (id: string) => request<{ contacts: SimilarContact[] }>('GET', `/api/contacts/${id}/similar`).then((r) => r.contacts),
  /** Contacts matching a name, phone or email fragment. */
  contacts: (text: string) =>
    request<{ contacts: SimilarContact[] }>('GET', `/api/contacts${q({ q: text, limit: 10 })}`).then((r) => r.contacts),
  /** `other` moves into `id` (identities and conversations) and is gone. */
  mergeContacts: (id: string, other: string) => request<ContactCard>('POST', `/api/contacts/${id}/merge`, { contactId: other }),
  reply: (id: string, body: string, internal = false) =>
    request<{ message: Message }>('POST', `/api/conversations/${id}/messages`, { body, internal }).then((r) => r.message),
  retry: (messageId: string) => request<{ message: Message }>('POST', `/api/messages/${messageId}/retry`).then((r) => r.message),
  resolve: (id: string, disposition: string, note: string) =>
    request<{ conversation: Conversation }>('POST', `/api/conversations/${id}/resolve`, { disposition, ...(note ? { note } : {}) }).then(
      (r) => r.conversation,
    ),
  transfer: (id: string, target: TransferTarget) =>
    request<{ conversation: Conversation }>('POST', `/api/conversations/${id}/transfer`, target).then((r) => r.conversation),
  accept: (reservationId: string) =>
    request<{ conversation: Conversation }>('POST', `/api/reservations/${reservationId}/accept`).then((r) => r.conversation),
  reject: (reservationId: string) => request<{ ok: true }>('POST', `/api/reservations/${reservationId}/reject`),
  queues: () => request<{ queues: QueueStats[] }>('GET', '/api/queues').then((r) => r.queues),
  setLanguage: (language: 'en' | 'es') => request<{ agent: Agent }>('PATCH', '/api/me', { language }).then((r) => r.agent),
  cannedResponses: (f: { queue?: string; language?: string; q?: string } = {}) =>
    request<{ cannedResponses: CannedResponse[] }>('GET', `/api/canned-responses${q(f)}`).then((r) => r.cannedResponses),
  dispositions: (f: { queue?: string; archived?: boolean } = {}) =>
    request<{ dispositions: Disposition[] }>(
      'GET',
      `/api/dispositions${q({ queue: f.queue, archived: f.archived ? 'true' : undefined })}`,
    ).then((r) => r.dispositions),
  /** Administration (`/admin`): each call answers the server's own validation message on a bad field. */
  admin: {
    /** Without a password the answer carries a one-time set-password link. */
    createAgent: (body: Record<string, unknown>) => request<{ agent: Agent; invite?: Invite }>('POST', '/api/agents', body),
    inviteAgent: (id: string) => request<{ invite: Invite }>('POST', `/api/agents/${id}/invite`).then((r) => r.invite),
    updateAgent: (id: string, body: Record<string, unknown>) =>
      request<{ agent: Agent }>('PATCH', `/api/agents/${id}`, body).then((r) => r.agent),
    resetMfa: (id: string) => request<{ agent: Agent }>('DELETE', `/api/agents/${id}/mfa`).then((r) => r.agent),
    createQueue: (body: Record<string, unknown>) => request<{ queue: QueueStats }>('POST', '/api/queues', body).then((r) => r.queue),
    updateQueue: (key: string, body: Record<string, unknown>) =>
      request<{ queue: QueueStats }>('PATCH', `/api/queues/${encodeURIComponent(key)}`, body).then((r) => r.queue),
    /** 409 with the server's reason while something still depends on the queue. */
    deleteQueue: (key: string) => request<void>('DELETE', `/api/queues/${encodeURIComponent(key)}`),
    inboxes: () => request<{ inboxes: Inbox[] }>('GET', '/api/inboxes').then((r) => r.inboxes),
    createInbox: (body: Record<string, unknown>) => request<{ inbox: Inbox }>('POST', '/api/inboxes', body).then((r) => r.inbox),
    updateInbox: (id: string, body: Record<string, unknown>) =>
      request<{ inbox: Inbox }>('PATCH', `/api/inboxes/${id}`, body).then((r) => r.inbox),
    deleteInbox: (id: string) => request<void>('DELETE', `/api/inboxes/${id}`),
    createCanned: (body: Record<string, unknown>) =>
      request<{ cannedResponse: CannedResponse }>('POST', '/api/canned-responses', body).then((r) => r.cannedResponse),
    updateCanned: (id: string, body: Record<string, unknown>) =>
      request<{ cannedResponse: CannedResponse }>('PATCH', `/api/canned-responses/${id}`, body).then((r) => r.cannedResponse),
    deleteCanned: (id: string) => request<void>('DELETE', `/api/canned-responses/${id}`),
    createDisposition: (body: Record<string, unknown>) =>
      request<{ disposition: Disposition }>('POST', '/api/dispositions', body).then((r) => r.disposition),
    updateDisposition: (id: string, body: Record<string, unknown>) =>
      request<{ disposition: Disposition }>('PATCH', `/api/dispositions/${id}`, body).then((r) => r.disposition),
    deleteDisposition: (id: string) => request<{ disposition: Disposition } | null>('DELETE', `/api/dispositions/${id}`),
  },
  /** Crisis and incidents (docs/crisis.md): the banners after a reload, the supervisors' incident screen. */
  crisis: {
    openRisks: () => request<{ conversations: CrisisAlert[] }>('GET', '/api/crisis/conversations').then((r) => r.conversations),
    incidents: (status: 'open' | 'resolved' | 'all' = 'all') =>
      request<{ incidents: Incident[] }>('GET', `/api/incidents${q({ status })}`).then((r) => r.incidents),
    proposals: () => request<{ proposals: IncidentProposal[] }>('GET', '/api/incidents/proposals').then((r) => r.proposals),
    declare: (body: { title: string; publicMessage: { en: string; es?: string }; queues?: string[] }) =>
      request<{ incident: Incident }>('POST', '/api/incidents', body).then((r) => r.incident),
    update: (id: string, body: { title?: string; publicMessage?: { en: string; es?: string }; queues?: string[] }) =>
      request<{ incident: Incident }>('PATCH', `/api/incidents/${id}`, body).then((r) => r.incident),
    resolve: (id: string, body: { message?: { en: string; es?: string }; disposition?: string }) =>
      request<{ incident: Incident; told: number; closed: number; keptOpen: string[] }>('POST', `/api/incidents/${id}/resolve`, body),
    suggestions: (id: string) =>
      request<{ conversations: IncidentSuggestion[] }>('GET', `/api/incidents/${id}/suggestions`).then((r) => r.conversations),
    link: (id: string, conversationId: string) =>
      request<{ incident: Incident }>('POST', `/api/incidents/${id}/conversations`, { conversationId }).then((r) => r.incident),
    unlink: (id: string, conversationId: string) =>
      request<{ incident: Incident }>('DELETE', `/api/incidents/${id}/conversations/${conversationId}`).then((r) => r.incident),
  },
  /** Quality reviews (docs/reports.md, "Quality reviews"): the scorecard, reviewing a resolved conversation, review lists. */
  quality: {
    scorecard: () => request<{ criteria: ScorecardCriterion[] }>('GET', '/api/scorecard').then((r) => r.criteria),
    setScorecard: (body: { criteria: ScorecardCriterion[] }) =>
      request<{ criteria: ScorecardCriterion[] }>('PUT', '/api/scorecard', body).then((r) => r.criteria),
    review: (conversationId: string, body: { scores: Record<string, number>; comment?: string }) =>
      request<{ review: Review }>('POST', `/api/conversations/${conversationId}/reviews`, body).then((r) => r.review),
    /** Newest first, with the averages over all of them; an agent gets only its own. */
    reviews: (f: { agentId?: string; conversationId?: string; limit?: number } = {}) => request<ReviewList>('GET', `/api/reviews${q(f)}`),
  },
  /** The IVR flows as trees, with the `npm run ivr:check` result (supervisors and admins). */
  ivrFlows: () => request<FlowsCheck>('GET', '/api/ivr-flows'),
  agents: () => request<{ agents: Agent[] }>('GET', '/api/agents').then((r) => r.agents),
  setAgentStatus: (id: string, status: string) =>
    request<{ agent: Agent }>('PUT', `/api/agents/${id}/status`, { status }).then((r) => r.agent),
  directory: () => request<{ agents: DirectoryAgent[] }>('GET', '/api/directory/agents').then((r) => r.agents),
  today: () => request<TodayReport>('GET', '/api/reports/today'),
  voiceToken: () => request<{ token: string; identity?: string; ttlSeconds?: number; expiresIn?: number }>('GET', '/api/voice/token'),
  /** Calls a contact (a number, or a conversation's contact); the agent's softphone leg rings in once they answer. */
  placeCall: (target: { conversationId: string } | { phone: string }) =>
    request<{ conversation: { id: string }; callSid: string | null }>('POST', '/api/voice/calls', target),
  holdCall: (conversationId: string, held: boolean) => request('POST', `/api/voice/calls/${conversationId}/${held ? 'hold' : 'unhold'}`),
  transferTargets: (id: string) => request<TransferTargets>('GET', `/api/conversations/${id}/transfer-targets`),
  transferCall: (conversationId: string, target: TransferTarget) => request('POST', `/api/voice/calls/${conversationId}/transfer`, target),
};
