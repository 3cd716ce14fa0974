import { addOpenApiPaths } from '../http/openapi.js';

/** OpenAPI for the sandbox (contract: "Try it without vendor accounts"); these paths answer 404 while it is off. */
const err = { $ref: '#/components/responses/Error' };
const secured = { security: [{ bearer: [] }] };
const json = (description: string, schema: unknown) => ({ description, content: { 'application/json': { schema } } });
const off = { description: 'the sandbox is off (production without SANDBOX=true, or SANDBOX=false)' };
const listParams = [
  { name: 'channel', in: 'query', required: false, schema: { enum: ['sms', 'email', 'slack', 'voice'] } },
  {
    name: 'contact',
    in: 'query',
    required: false,
    schema: { type: 'string' },
    description: 'only this phone, email address or Slack user id',
  },
  { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 200 } },
];
const common = { tags: ['sandbox'], ...secured };
const callTurn = {
  type: 'object',
  properties: {
    callSid: { type: 'string' },
    state: { enum: ['menu', 'queued', 'ended'] },
    lines: {
      type: 'array',
      items: {
        type: 'object',
        properties: { kind: { enum: ['say', 'play', 'note'] }, text: { type: 'string' }, language: { type: 'string' } },
      },
    },
    accepts: {
      type: 'object',
      properties: { digits: { type: 'boolean' }, speech: { type: 'boolean' }, numDigits: { type: 'integer' } },
    },
  },
};
const errors = { '400': err, '401': err, '403': err, '404': { description: off.description } };

addOpenApiPaths({
  '/api/sandbox': {
    get: {
      ...common,
      summary: 'Whether the sandbox is on, with its number and mail domain (admin; extension)',
      responses: {
        '200': json('on', {
          type: 'object',
          properties: {
            enabled: { type: 'boolean' },
            hotline: { type: 'string' },
            mailDomain: { type: 'string' },
            notice: { type: 'string' },
          },
        }),
        ...errors,
      },
    },
  },
  '/api/sandbox/inbound': {
    post: {
      ...common,
      summary:
        'A sandbox contact writes in (admin), delivered as the vendor delivers it: a signed Twilio SMS webhook, a signed Slack event, a mail over SMTP to the inbound server. `to` is an extension (sms, email)',
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['channel', 'from', 'body'],
              properties: {
                channel: { enum: ['sms', 'email', 'slack'] },
                from: { type: 'string', description: 'E.164 phone, email address, or a Slack name / user id' },
                body: { type: 'string', minLength: 1 },
                subject: { type: 'string', description: 'email only; without it the mail answers our latest mail to `from`' },
                to: { type: 'string', description: 'our number or mailbox (extension)' },
              },
            },
          },
        },
      },
      responses: {
        '202': json('delivered and accepted by the webhook or SMTP server', {
          type: 'object',
          properties: {
            delivered: {
              type: 'object',
              properties: { channel: { type: 'string' }, externalId: { type: 'string' }, status: { type: 'integer' } },
            },
          },
        }),
        ...errors,
        '503': err,
      },
    },
  },
  '/api/sandbox/calls': {
    post: {
      ...common,
      summary:
        "A sandbox caller rings our number (admin; extension): Twilio's incoming-call webhook, signed, to this process; the TwiML answered is read out as text until the IVR waits for keys or words, puts the caller on hold in a queue, or hangs up",
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['from'],
              additionalProperties: false,
              properties: {
                from: { type: 'string', description: 'E.164 phone number of the caller' },
                to: { type: 'string', description: 'our number (default: the first phone inbox)' },
              },
            },
          },
        },
      },
      responses: { '201': json('the first turn of the call', callTurn), ...errors, '503': err },
    },
  },
  '/api/sandbox/calls/{callSid}/input': {
    post: {
      ...common,
      summary: "The sandbox caller presses keys or speaks (admin; extension): posted to the waiting menu's action as Twilio posts it",
      parameters: [{ name: 'callSid', in: 'path', required: true, schema: { type: 'string' } }],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              additionalProperties: false,
              description: 'exactly one of digits or speech',
              properties: {
                digits: { type: 'string', pattern: '^[0-9*#]{1,20}$' },
                speech: { type: 'string', minLength: 1, maxLength: 500 },
              },
            },
          },
        },
      },
      responses: {
        '200': json('the next turn of the call', callTurn),
        ...errors,
        '409': { description: 'the call is not waiting for keys or words (on hold, or ended)' },
        '503': err,
      },
    },
  },
  '/api/sandbox/outbound': {
    get: {
      ...common,
      summary: 'What Switchboard sent into the sandbox, oldest first (admin). `id`, `from`, `subject`, `status` are extensions',
      parameters: listParams,
      responses: {
        '200': json('messages', {
          type: 'object',
          properties: {
            messages: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  channel: { type: 'string' },
                  to: { type: 'string' },
                  body: { type: 'string' },
                  at: { type: 'string', format: 'date-time' },
                  id: { type: 'string' },
                  from: { type: 'string' },
                  subject: { type: 'string', nullable: true },
                  status: { type: 'string', description: 'texts: queued → sent → delivered, as the status callbacks report' },
                },
              },
            },
          },
        }),
        ...errors,
      },
    },
  },
  '/api/sandbox/messages': {
    get: {
      ...common,
      summary: 'Both sides of the sandbox, oldest first: what contacts sent and what Switchboard sent (admin; extension)',
      parameters: listParams,
      responses: { '200': json('messages with direction inbound | outbound', { type: 'object' }), ...errors },
    },
  },
});
