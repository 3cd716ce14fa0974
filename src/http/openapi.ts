/**
 * The OpenAPI description of the agent API and webhooks (`GET /api/openapi.json`).
 * Channel modules add their own paths with `addOpenApiPaths`.
 */
type Op = {
  summary: string;
  description?: string;
  tags: string[];
  security?: unknown[];
  requestBody?: unknown;
  parameters?: unknown[];
  responses: Record<string, unknown>;
};
type PathItem = Record<string, Op>;

const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const ok = (description: string, schema: unknown = { type: 'object' }) => ({ description, ...json(schema) });
const err = { $ref: '#/components/responses/Error' };
const body = (schema: unknown) => ({ required: true, ...json(schema) });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const authed = (op: Omit<Op, 'security'>): Op => ({
  ...op,
  security: [{ bearer: [] }],
  responses: { ...op.responses, '400': err, '401': err, '403': err },
});

const ConversationRef = { $ref: '#/components/schemas/Conversation' };
const twilioForm = (fields: string[]) => ({
  required: true,
  content: {
    'application/x-www-form-urlencoded': {
      schema: { type: 'object', properties: Object.fromEntries(fields.map((f) => [f, { type: 'string' }])) },
    },
  },
});

const paths: Record<string, PathItem> = {
  '/api/auth/login': {
    post: {
      summary: 'Log in; returns a bearer token',
      tags: ['auth'],
      requestBody: body({
        type: 'object',
        required: ['email', 'password'],
        properties: { email: { type: 'string' }, password: { type: 'string' } },
      }),
      responses: {
        '200': ok('token and agent', {
          type: 'object',
          properties: { token: { type: 'string' }, expiresIn: { type: 'integer' }, agent: { $ref: '#/components/schemas/Agent' } },
        }),
        '401': err,
      },
    },
  },
  '/api/auth/refresh': {
    post: authed({ summary: 'A fresh token for the calling agent (extension)', tags: ['auth'], responses: { '200': ok('token') } }),
  },
  '/api/me': {
    get: authed({
      summary:
        'The calling agent, with `mfaEnrolmentRequired` and `passwordChangeRequired` (a handed-over password: only `PUT /api/me/password` is open, others answer 403 password_change_required)',
      tags: ['agents'],
      responses: { '200': ok('{agent, mfaEnrolmentRequired, passwordChangeRequired}') },
    }),
    patch: authed({
      summary: 'My preferences (extension): `language` of the desk',
      tags: ['agents'],
      requestBody: body({ type: 'object', properties: { language: { enum: ['en', 'es'] } } }),
      responses: { '200': ok('agent') },
    }),
  },
  '/api/me/status': {
    put: authed({
      summary: 'Set my presence',
      tags: ['agents'],
      requestBody: body({ type: 'object', required: ['status'], properties: { status: { enum: ['available', 'away', 'offline'] } } }),
      responses: { '200': ok('agent') },
    }),
  },
  '/api/agents': {
    get: authed({ summary: 'List agents (supervisor, admin; extension)', tags: ['agents'], responses: { '200': ok('agents') } }),
    post: authed({
      summary:
        'Create an agent (admin). Without `password` (extension) the answer also carries `invite: {url, expiresAt}`, a one-time set-password link',
      tags: ['agents'],
      requestBody: body({ $ref: '#/components/schemas/AgentInput' }),
      responses: { '201': ok('agent'), '409': err },
    }),
  },
  '/api/agents/{id}/invite': {
    post: authed({
      summary:
        'A one-time set-password link for the agent, `{invite: {url, expiresAt}}` (admin; extension): valid 72 hours, once; earlier unused links stop working',
      tags: ['agents'],
      parameters: [idParam],
      responses: { '201': ok('invite'), '404': err, '409': err },
    }),
  },
  '/api/agents/{id}': {
    patch: authed({
      summary:
        'Change an agent (admin). `active: false` deactivates: tokens refused at once (401), sockets closed, offers withdrawn; `password` revokes its tokens',
      tags: ['agents'],
      parameters: [idParam],
      requestBody: body({
        allOf: [{ $ref: '#/components/schemas/AgentInput' }, { type: 'object', properties: { active: { type: 'boolean' } } }],
      }),
      responses: { '200': ok('agent'), '404': err },
    }),
  },
  '/api/agents/{id}/status': {
    put: authed({
      summary: "Set an agent's presence (supervisor; extension)",
      tags: ['agents'],
      parameters: [idParam],
      requestBody: body({ type: 'object', properties: { status: { enum: ['available', 'away', 'offline'] } } }),
      responses: { '200': ok('agent') },
    }),
  },
  '/api/ivr-flows': {
    get: authed({
      summary:
        'The IVR flows in IVR_FLOWS_DIR, read-only (supervisor, admin; extension): `{ok, flows: [{name, description, lines, tree}], warnings}` — the `npm run ivr:check` result; `ok: false` with `error` when a flow is invalid',
      tags: ['inboxes'],
      responses: { '200': ok('flows') },
    }),
  },
  '/api/inboxes': {
    get: authed({ summary: 'List inboxes (admin)', tags: ['inboxes'], responses: { '200': ok('inboxes') } }),
    post: authed({
      summary: 'Create an inbox (admin)',
      tags: ['inboxes'],
      requestBody: body({ $ref: '#/components/schemas/InboxInput' }),
      responses: { '201': ok('inbox'), '409': err },
    }),
  },
  '/api/inboxes/{id}': {
    patch: authed({
      summary: 'Change an inbox queue/flow (admin)',
      tags: ['inboxes'],
      parameters: [idParam],
      requestBody: body({ type: 'object', properties: { queue: { type: 'string' }, flow: { type: 'string', nullable: true } } }),
      responses: { '200': ok('inbox'), '404': err },
    }),
    delete: authed({
      summary: 'Delete an inbox (admin)',
      tags: ['inboxes'],
      parameters: [idParam],
      responses: { '204': { description: 'deleted' }, '404': err },
    }),
  },
  '/api/conversations': {
    get: authed({
      summary: 'Conversations this agent may see, newest first',
      tags: ['conversations'],
      parameters: [
        {
          name: 'status',
          in: 'query',
          schema: { enum: ['open', 'all', 'waiting', 'offered', 'assigned', 'pending', 'snoozed', 'resolved', 'abandoned'] },
          description: 'default open (every status but resolved and abandoned); `all` when `number` is given',
        },
        { name: 'number', in: 'query', schema: { type: 'integer' }, description: 'the conversation with this reference (#1042)' },
        {
          name: 'tag',
          in: 'query',
          schema: { type: 'array', items: { type: 'string' } },
          style: 'form',
          explode: true,
          description: 'only conversations carrying this tag (repeat: all of them)',
        },
        { name: 'queue', in: 'query', schema: { type: 'string' } },
        { name: 'channel', in: 'query', schema: { enum: ['voice', 'sms', 'email', 'slack'] }, description: 'extension' },
        { name: 'mine', in: 'query', schema: { type: 'boolean' } },
        { name: 'contactId', in: 'query', schema: { type: 'string', format: 'uuid' }, description: 'extension: a contact’s history' },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 25 } },
        { name: 'cursor', in: 'query', schema: { type: 'string' } },
      ],
      responses: {
        '200': ok('page', {
          type: 'object',
          properties: { conversations: { type: 'array', items: ConversationRef }, nextCursor: { type: 'string', nullable: true } },
        }),
      },
    }),
  },
  '/api/conversations/{id}': {
    get: authed({
      summary:
        'A conversation with its contact and messages, and `assignee` (`{id, name}` of the agent holding it, or null); the conversation carries `dispositionLabel` (the code’s label), `wrapUpNote` and `csat`',
      tags: ['conversations'],
      parameters: [idParam],
      responses: { '200': ok('conversation, contact, messages'), '404': err },
    }),
  },
  '/api/conversations/{id}/messages': {
    post: authed({
      summary:
        "Reply on the conversation's channel, or add an internal note. An SMS reply over 1,600 characters (UTF-16 code units, as Twilio counts them: an emoji takes two) is refused with 400 `body: …`",
      tags: ['conversations'],
      parameters: [idParam],
      requestBody: body({ type: 'object', required: ['body'], properties: { body: { type: 'string' }, internal: { type: 'boolean' } } }),
      responses: { '201': ok('message'), '400': err, '409': err, '503': err },
    }),
  },
  '/api/messages/{id}/retry': {
    post: authed({
      summary:
        'Send a reply that ended `failed` (or `undelivered`) again: back to `pending` with a fresh send job; pushed as `message.updated`',
      tags: ['conversations'],
      parameters: [idParam],
      responses: { '202': ok('message'), '400': err, '403': err, '404': err, '409': err },
    }),
  },
  '/api/conversations/{id}/resolve': {
    post: authed({
      summary:
        'Close it and free capacity; `disposition` must be a live code, global or of the conversation’s queue (`GET /api/dispositions?queue=`), 400 otherwise; a risk-flagged conversation needs a `note` (400 without)',
      tags: ['conversations'],
      parameters: [idParam],
      requestBody: {
        required: false,
        ...json({ type: 'object', properties: { disposition: { type: 'string' }, note: { type: 'string' } } }),
      },
      responses: { '200': ok('conversation (with `dispositionLabel` and `wrapUpNote`)'), '409': err },
    }),
  },
  '/api/conversations/{id}/transfer': {
    post: authed({
      summary: 'Hand it to another queue or offer it to one agent',
      tags: ['conversations'],
      parameters: [idParam],
      requestBody: body({
        oneOf: [
          { type: 'object', properties: { queue: { type: 'string' }, note: { type: 'string', maxLength: 1000 } }, required: ['queue'] },
          {
            type: 'object',
            properties: { agentId: { type: 'string', format: 'uuid' }, note: { type: 'string', maxLength: 1000 } },
            required: ['agentId'],
          },
        ],
      }),
      description:
        'Any queue may be the target. `note` (extension) goes to the receiver: their `reservation.created` carries `transfer: {by: {id, name}, note}`, and the timeline gets an internal note. A queue transfer passes the sender by unless nobody else can take it. An agent who is offline, away, on a call or at capacity is refused with 409 `at_capacity` and the reason.',
      responses: { '200': ok('conversation'), '409': err },
    }),
  },
  '/api/conversations/{id}/transfer-targets': {
    get: authed({
      summary: 'Where this conversation may be transferred (extension)',
      description:
        '`{queues: [{key, name, agentsAvailable}], agents: [{id, name, presence, selectable, reason}]}`: every queue, and every active agent but the caller; `reason` (e.g. "Offline", "At capacity for texts") says why an agent cannot take it now.',
      tags: ['conversations'],
      parameters: [idParam],
      responses: { '200': ok('targets'), '403': err, '404': err },
    }),
  },
  '/api/reservations': {
    get: authed({
      summary: "The caller's live offers, as reservation.created payloads (extension)",
      tags: ['routing'],
      responses: { '200': ok('reservations') },
    }),
  },
  '/api/reservations/{id}/accept': {
    post: authed({
      summary: 'Accept an offer',
      tags: ['routing'],
      parameters: [idParam],
      responses: { '200': ok('conversation'), '404': err, '409': err },
    }),
  },
  '/api/reservations/{id}/reject': {
    post: authed({
      summary: 'Reject an offer',
      tags: ['routing'],
      parameters: [idParam],
      responses: { '200': ok('ok'), '404': err, '409': err },
    }),
  },
  '/api/queues': { get: authed({ summary: 'Live figures per queue', tags: ['routing'], responses: { '200': ok('queues') } }) },
  '/healthz': { get: { summary: 'Liveness', tags: ['ops'], responses: { '200': ok('ok') } } },
  '/readyz': {
    get: { summary: 'Readiness (Postgres and Redis)', tags: ['ops'], responses: { '200': ok('ready'), '503': ok('not ready') } },
  },
  '/metrics': {
    get: {
      summary: 'Prometheus metrics: only with `Authorization: Bearer $METRICS_TOKEN` (or without a token on METRICS_PORT, 127.0.0.1)',
      tags: ['ops'],
      responses: {
        '200': { description: 'text exposition format' },
        '401': err,
        '404': { description: 'neither METRICS_TOKEN nor METRICS_PORT set' },
      },
    },
  },
  '/webhooks/twilio/sms': {
    post: {
      summary: 'Inbound SMS/MMS (signed by Twilio)',
      tags: ['webhooks'],
      requestBody: twilioForm(['MessageSid', 'From', 'To', 'Body', 'NumMedia']),
      responses: { '200': { description: 'TwiML' }, '400': { description: 'malformed' }, '403': { description: 'bad signature' } },
    },
  },
  '/webhooks/twilio/sms/status': {
    post: {
      summary: 'Outbound message status callback',
      tags: ['webhooks'],
      requestBody: twilioForm(['MessageSid', 'MessageStatus', 'ErrorCode']),
      responses: { '204': { description: 'stored' }, '403': { description: 'bad signature' } },
    },
  },
};

/** Adds paths, or operations to a path described already (a PATCH beside a GET). */
export function addOpenApiPaths(extra: Record<string, PathItem>) {
  for (const [path, item] of Object.entries(extra)) paths[path] = { ...paths[path], ...item };
}

export function openApiDocument(publicUrl: string) {
  return {
    openapi: '3.1.0',
    info: { title: 'Switchboard', version: '0.1.0', description: 'Agent API and webhooks. See README for Socket.IO events.' },
    servers: [{ url: publicUrl }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      responses: {
        Error: ok('error', {
          type: 'object',
          properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } },
        }),
      },
      schemas: {
        Agent: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            email: { type: 'string' },
            name: { type: 'string' },
            role: { enum: ['agent', 'supervisor', 'admin'] },
            presence: { enum: ['available', 'away', 'offline', 'busy', 'wrap-up'] },
            capacity: { type: 'object', additionalProperties: { type: 'integer' } },
            queues: { type: 'array', items: { type: 'object', properties: { queue: { type: 'string' }, level: { type: 'integer' } } } },
          },
        },
        AgentInput: {
          type: 'object',
          properties: {
            email: { type: 'string' },
            name: { type: 'string' },
            password: { type: 'string', minLength: 8 },
            role: { enum: ['agent', 'supervisor', 'admin'] },
            queues: {
              type: 'array',
              items: {
                oneOf: [
                  { type: 'string' },
                  { type: 'object', properties: { queue: { type: 'string' }, level: { type: 'integer', minimum: 1, maximum: 5 } } },
                ],
              },
            },
            capacity: {
              type: 'object',
              properties: { voice: { type: 'integer' }, sms: { type: 'integer' }, email: { type: 'integer' }, slack: { type: 'integer' } },
            },
            language: { enum: ['en', 'es'], description: "extension: the desk's language for this agent (default en)" },
            mustChangePassword: {
              type: 'boolean',
              description: 'extension: the agent must choose its own password at next sign-in (an admin handed this one over)',
            },
          },
        },
        InboxInput: {
          type: 'object',
          required: ['kind', 'address', 'queue'],
          properties: {
            kind: { enum: ['phone', 'email', 'slack'] },
            address: { type: 'string' },
            queue: { type: 'string' },
            flow: { type: 'string' },
          },
        },
        Conversation: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            channel: { enum: ['voice', 'sms', 'email', 'slack'] },
            queue: { type: 'string' },
            number: { type: 'integer', description: 'human reference from 1000, shown as #1042' },
            status: { enum: ['waiting', 'offered', 'assigned', 'pending', 'snoozed', 'resolved', 'abandoned'] },
            snoozedUntil: { type: 'string', format: 'date-time', nullable: true },
            pendingSince: { type: 'string', format: 'date-time', nullable: true },
            tags: { type: 'array', items: { type: 'string' } },
            assigneeId: { type: 'string', nullable: true },
            contactId: { type: 'string' },
            priority: { type: 'integer' },
            createdAt: { type: 'string', format: 'date-time' },
            disposition: { type: 'string', nullable: true, description: 'the code it was resolved with' },
            dispositionLabel: {
              type: 'string',
              nullable: true,
              description: 'the label of `disposition`; in GET /api/conversations/{id}, the resolve answer and the resolve event only',
            },
            wrapUpNote: { type: 'string', nullable: true, description: 'what whoever resolved it wrote' },
            risk: {
              type: 'object',
              nullable: true,
              description: 'What the crisis matcher found in its inbound texts (docs/crisis.md)',
              properties: {
                level: { enum: ['high', 'medium'] },
                categories: { type: 'array', items: { enum: ['self-harm', 'violence', 'emergency'] } },
                reasons: { type: 'array', items: { type: 'string' } },
                detectedAt: { type: 'string', format: 'date-time' },
                lastDetectedAt: { type: 'string', format: 'date-time' },
              },
            },
          },
        },
      },
    },
  };
}
