import { addOpenApiPaths } from '../openapi.js';

/** OpenAPI for signed file links and the recording proxy (routes/files.ts). */
const err = { $ref: '#/components/responses/Error' };
const id = (description: string) => ({ name: 'id', in: 'path', required: true, description, schema: { type: 'string', format: 'uuid' } });
const range = {
  name: 'Range',
  in: 'header',
  required: false,
  description: 'one byte range (`bytes=1000-`, `bytes=0-499`, `bytes=-500`); answered 206 with Content-Range',
  schema: { type: 'string' },
};
const audio = (description: string) => ({ description, content: { 'audio/mpeg': { schema: { type: 'string', format: 'binary' } } } });

addOpenApiPaths({
  '/api/conversations/{id}/files': {
    get: {
      summary:
        'Signed, short-lived links (FILE_URL_TTL_SECONDS) to the attachments and recordings of a conversation, for agents who may see it (extension). The links open without the bearer token, so <img>, <a> and <audio> can use them',
      tags: ['conversations'],
      security: [{ bearer: [] }],
      parameters: [id('the conversation')],
      responses: {
        '200': {
          description: 'one entry per file: `messageId` and `index` name the media item it stands for',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  files: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        messageId: { type: 'string', format: 'uuid' },
                        index: { type: 'integer' },
                        kind: { type: 'string', enum: ['attachment', 'recording'] },
                        name: { type: 'string', nullable: true },
                        contentType: { type: 'string', nullable: true },
                        size: { type: 'integer', nullable: true },
                        url: { type: 'string', description: '/api/files/{kind}/{id}?expires=…&signature=…' },
                        expiresAt: { type: 'string', format: 'date-time' },
                      },
                    },
                  },
                },
              },
            },
          },
        },
        '400': err,
        '401': err,
        '403': err,
        '404': err,
      },
    },
  },
  '/api/files/{kind}/{id}': {
    get: {
      summary:
        'A file opened through a signed link from `GET /api/conversations/{id}/files` (no bearer token: the signature is the permission). 403 when the link is forged or expired',
      tags: ['conversations'],
      parameters: [
        { name: 'kind', in: 'path', required: true, schema: { type: 'string', enum: ['attachment', 'recording'] } },
        id('the attachment, or the message that carries the recording'),
        { name: 'expires', in: 'query', required: true, schema: { type: 'integer' } },
        { name: 'signature', in: 'query', required: true, schema: { type: 'string' } },
        range,
      ],
      responses: {
        '200': {
          description: 'the file (an attachment as a download; a recording as audio)',
          content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
        },
        '206': audio('part of a recording (Content-Range)'),
        '403': err,
        '404': err,
        '416': { description: 'the range lies beyond the recording' },
        '503': err,
      },
    },
  },
  '/api/messages/{id}/recording': {
    get: {
      summary:
        "A voicemail's or call's recording, streamed from Twilio with the account's credentials (the vendor's URL is never shown); agents who may see the conversation only",
      tags: ['conversations'],
      security: [{ bearer: [] }],
      parameters: [id('the voice message'), range],
      responses: {
        '200': audio('the recording'),
        '206': audio('part of the recording (Content-Range)'),
        '400': err,
        '401': err,
        '403': err,
        '404': err,
        '416': { description: 'the range lies beyond the recording' },
        '503': err,
      },
    },
  },
});
