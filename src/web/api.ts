import type { Agent, Conversation, ConversationDetail, DirectoryAgent, Message, Offer, QueueStats, TodayReport } from './types.js';

/** An API error with the server's `{error: {code, message}}` body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Session = { token: string; expiresAt: number };
const KEY = 'switchboard.session';

/** The agent's bearer token, kept across reloads and refreshed before it expires. */
export const session = {
  get(): Session | null {
    try {
      const s = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Session | null;
      return s && s.expiresAt > Date.now() ? s : null;
    } catch {
      return null;
    }
  },
  set(token: string, expiresInSeconds: number) {
    localStorage.setItem(KEY, JSON.stringify({ token, expiresAt: Date.now() + expiresInSeconds * 1000 }));
  },
  clear() {
    localStorage.removeItem(KEY);
  },
};

let onUnauthorized: () => void = () => {};
export const setUnauthorizedHandler = (fn: () => void) => {
  onUnauthorized = fn;
};

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
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
    if (res.status === 401 && path !== '/api/auth/login') onUnauthorized();
    throw new ApiError(res.status, data?.error?.code ?? 'http_' + res.status, data?.error?.message ?? res.statusText);
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

export const api = {
  async login(email: string, password: string) {
    const r = await request<{ token: string; expiresIn: number; agent: Agent }>('POST', '/api/auth/login', { email, password });
    session.set(r.token, r.expiresIn);
    return r.agent;
  },
  async refresh() {
    const r = await request<{ token: string; expiresIn: number }>('POST', '/api/auth/refresh');
    session.set(r.token, r.expiresIn);
    return r.token;
  },
  me: () => request<{ agent: Agent }>('GET', '/api/me').then((r) => r.agent),
  pendingOffers: () => request<{ reservations: Offer[] }>('GET', '/api/reservations').then((r) => r.reservations),
  setStatus: (status: string) => request<{ agent: Agent }>('PUT', '/api/me/status', { status }).then((r) => r.agent),
  conversations: (f: {
    status?: string;
    queue?: string;
    channel?: string;
    mine?: boolean;
    contactId?: string;
    limit?: number;
    cursor?: string;
  }) =>
    request<{ conversations: Conversation[]; nextCursor: string | null }>(
      'GET',
      `/api/conversations${q({ ...f, mine: f.mine ? 'true' : undefined })}`,
    ),
  conversation: (id: string) => request<ConversationDetail>('GET', `/api/conversations/${id}`),
  reply: (id: string, body: string, internal = false) =>
    request<{ message: Message }>('POST', `/api/conversations/${id}/messages`, { body, internal }).then((r) => r.message),
  retry: (messageId: string) => request<{ message: Message }>('POST', `/api/messages/${messageId}/retry`).then((r) => r.message),
  resolve: (id: string, disposition: string, note: string) =>
    request<{ conversation: Conversation }>('POST', `/api/conversations/${id}/resolve`, { disposition, ...(note ? { note } : {}) }).then(
      (r) => r.conversation,
    ),
  transfer: (id: string, target: { queue: string } | { agentId: string }) =>
    request<{ conversation: Conversation }>('POST', `/api/conversations/${id}/transfer`, target).then((r) => r.conversation),
  accept: (reservationId: string) =>
    request<{ conversation: Conversation }>('POST', `/api/reservations/${reservationId}/accept`).then((r) => r.conversation),
  reject: (reservationId: string) => request<{ ok: true }>('POST', `/api/reservations/${reservationId}/reject`),
  queues: () => request<{ queues: QueueStats[] }>('GET', '/api/queues').then((r) => r.queues),
  agents: () => request<{ agents: Agent[] }>('GET', '/api/agents').then((r) => r.agents),
  setAgentStatus: (id: string, status: string) =>
    request<{ agent: Agent }>('PUT', `/api/agents/${id}/status`, { status }).then((r) => r.agent),
  directory: () => request<{ agents: DirectoryAgent[] }>('GET', '/api/directory/agents').then((r) => r.agents),
  today: () => request<TodayReport>('GET', '/api/reports/today'),
  voiceToken: () => request<{ token: string; identity?: string; ttlSeconds?: number; expiresIn?: number }>('GET', '/api/voice/token'),
};
