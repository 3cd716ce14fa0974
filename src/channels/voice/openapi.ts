/** OpenAPI paths the voice channel adds (`GET /api/openapi.json`); see docs/voice.md. */
const err = { $ref: '#/components/responses/Error' };
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const ok = (description: string, schema: unknown = { type: 'object' }) => ({ description, ...json(schema) });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' }, description: 'conversation id' };
const authed = { security: [{ bearer: [] }] };
const twiml = {
  '200': { description: 'TwiML', content: { 'text/xml': { schema: { type: 'string' } } } },
  '400': { description: 'malformed' },
  '403': { description: 'bad signature' },
};
const form = (fields: string[]) => ({
  required: true,
  content: {
    'application/x-www-form-urlencoded': {
      schema: { type: 'object', properties: Object.fromEntries(fields.map((f) => [f, { type: 'string' }])) },
    },
  },
});
const stateParams = ['flow', 'node', 'lang', 'chose'].map((name) => ({ name, in: 'query', schema: { type: 'string' } }));
const hook = (summary: string, fields: string[], responses: Record<string, unknown> = twiml, parameters: unknown[] = stateParams) => ({
  post: { summary, tags: ['webhooks'], parameters, requestBody: form(fields), responses },
});
const noContent = { '204': { description: 'stored' }, '400': { description: 'malformed' }, '403': { description: 'bad signature' } };
const CALL = ['CallSid', 'From', 'To', 'CallStatus'];

export const VOICE_OPENAPI = {
  '/api/voice/token': {
    get: {
      ...authed,
      summary: 'Softphone access token (Twilio Voice SDK): VoiceGrant, identity = agent id, 15 minutes (extension)',
      tags: ['voice'],
      responses: {
        '200': ok('token', {
          type: 'object',
          properties: {
            token: { type: 'string' },
            identity: { type: 'string' },
            expiresIn: { type: 'integer' },
            expiresAt: { type: 'string', format: 'date-time' },
          },
        }),
        '401': err,
        '503': err,
      },
    },
  },
  '/api/voice/calls': {
    post: {
      ...authed,
      summary: 'Call a contact from the desk; caller ID is a hotline number (extension)',
      tags: ['voice'],
      requestBody: {
        required: true,
        ...json({
          type: 'object',
          description: 'exactly one of conversationId, contactId, phone',
          properties: {
            conversationId: { type: 'string', format: 'uuid' },
            contactId: { type: 'string', format: 'uuid' },
            phone: { type: 'string' },
            from: { type: 'string', description: 'hotline (phone inbox) to call from' },
          },
        }),
      },
      responses: { '201': ok('the call’s conversation and CallSid'), '400': err, '401': err, '404': err, '409': err, '503': err },
    },
  },
  '/api/voice/calls/{id}/hold': {
    post: {
      ...authed,
      summary: 'Put the caller on hold (extension)',
      tags: ['voice'],
      parameters: [idParam],
      responses: { '200': ok('held'), '403': err, '409': err },
    },
  },
  '/api/voice/calls/{id}/unhold': {
    post: {
      ...authed,
      summary: 'Take the caller off hold (extension)',
      tags: ['voice'],
      parameters: [idParam],
      responses: { '200': ok('resumed'), '403': err, '409': err },
    },
  },
  '/api/voice/calls/{id}/transfer': {
    post: {
      ...authed,
      summary: 'Transfer a live call to a queue or an agent (extension)',
      tags: ['voice'],
      parameters: [idParam],
      requestBody: {
        required: true,
        ...json({
          oneOf: [
            { type: 'object', properties: { queue: { type: 'string' } } },
            { type: 'object', properties: { agentId: { type: 'string', format: 'uuid' } } },
          ],
        }),
      },
      responses: { '200': ok('conversation'), '403': err, '409': err },
    },
  },
  '/webhooks/twilio/voice': hook('Incoming call: TwiML of the IVR flow for the called number (To), `main` by default', CALL, twiml, []),
  '/webhooks/twilio/voice/step': hook('Gather / language answer (Digits or SpeechResult); query carries flow, node, lang, try', [
    ...CALL,
    'Digits',
    'SpeechResult',
  ]),
  '/webhooks/twilio/voice/wait': hook('Hold loop: position, estimated wait, hold audio; overflow after the max wait', CALL),
  '/webhooks/twilio/voice/overflow': hook('Overflow choice of a waiting caller: 1 voicemail, 2 callback', [...CALL, 'Digits']),
  '/webhooks/twilio/voice/voicemail': hook('Recorded voicemail (Record action)', [
    ...CALL,
    'RecordingSid',
    'RecordingUrl',
    'RecordingDuration',
  ]),
  '/webhooks/twilio/voice/callback': hook('Callback number keyed in (# = the calling number): read back for confirmation', [
    ...CALL,
    'Digits',
  ]),
  '/webhooks/twilio/voice/callback-confirm': hook(
    'Callback number confirmation: 1 makes the callback, 2 asks for another number',
    [...CALL, 'Digits'],
    twiml,
    [...stateParams, { name: 'number', in: 'query', schema: { type: 'string' } }],
  ),
  '/webhooks/twilio/voice/dial-result': hook('Dial-out finished (DialCallStatus)', [...CALL, 'DialCallStatus']),
  '/webhooks/twilio/voice/connect': hook('Outbound call answered: joins the conversation’s conference', CALL, twiml, [
    { name: 'conversationId', in: 'query', schema: { type: 'string' } },
  ]),
  '/webhooks/twilio/voice/softphone-ended': hook(
    'A softphone’s direct dial ended (Dial action): its conversation records the end',
    [...CALL, 'DialCallStatus', 'DialCallDuration'],
    twiml,
    [{ name: 'conversationId', in: 'query', schema: { type: 'string' } }],
  ),
  '/webhooks/twilio/voice/transcription': hook(
    'Voicemail transcription',
    ['TranscriptionSid', 'TranscriptionText', 'TranscriptionStatus', 'RecordingSid'],
    noContent,
    [],
  ),
  '/webhooks/twilio/voice/recording': hook(
    'Call recording ready',
    ['RecordingSid', 'RecordingUrl', 'RecordingDuration', 'RecordingStatus'],
    noContent,
    [{ name: 'conversationId', in: 'query', schema: { type: 'string' } }],
  ),
  '/webhooks/twilio/voice/csat': hook(
    'Post-call survey (queue csatVoice): the caller, moved here when the agent left, is asked for a key 1–5',
    CALL,
    twiml,
    [{ name: 'conversationId', in: 'query', required: true, schema: { type: 'string', format: 'uuid' } }],
  ),
  '/webhooks/twilio/voice/csat-answer': hook(
    'Post-call survey key (Digits; empty = silence): 1–5 is the score (once per survey), else asked once more, then goodbye',
    [...CALL, 'Digits'],
    twiml,
    [
      { name: 'conversationId', in: 'query', required: true, schema: { type: 'string', format: 'uuid' } },
      { name: 'try', in: 'query', schema: { type: 'integer', minimum: 0 } },
    ],
  ),
  '/webhooks/twilio/voice/conference': hook(
    'Conference events (remembers the ConferenceSid)',
    ['ConferenceSid', 'StatusCallbackEvent'],
    noContent,
    [{ name: 'conversationId', in: 'query', schema: { type: 'string' } }],
  ),
  '/webhooks/twilio/voice/status': hook(
    'Call status callbacks (caller, agent softphone leg, outbound leg); CallSid+CallStatus handled once',
    [...CALL, 'CallDuration'],
    noContent,
    [
      { name: 'leg', in: 'query', schema: { enum: ['caller', 'agent', 'outbound'] } },
      { name: 'conversationId', in: 'query', schema: { type: 'string' } },
      { name: 'agentId', in: 'query', schema: { type: 'string' } },
    ],
  ),
};
