import { addOpenApiPaths } from '../openapi.js';

/** OpenAPI for sign-in, sessions, MFA, single sign-on and the audit log (routes/auth.ts, oidc.ts, audit.ts). */
const json = (description: string, properties: Record<string, unknown> = {}) => ({
  description,
  content: { 'application/json': { schema: { type: 'object', properties } } },
});
const err = { $ref: '#/components/responses/Error' };
const body = (properties: Record<string, unknown>, required: string[] = []) => ({
  required: true,
  content: { 'application/json': { schema: { type: 'object', required, properties } } },
});
const secured = { security: [{ bearer: [] }] };
const code = { code: { type: 'string', description: 'a 6-digit TOTP code or a recovery code' } };
const tokenOut = { token: { type: 'string' }, expiresIn: { type: 'integer', description: 'seconds' } };

addOpenApiPaths({
  '/api/auth/options': {
    get: {
      summary: 'How to sign in here: password, and the single sign-on button if configured (extension)',
      tags: ['auth'],
      responses: { '200': json('{password, oidc: {label, start} | null}') },
    },
  },
  '/api/auth/oidc/start': {
    get: {
      summary:
        'Single sign-on (OpenID Connect, authorisation code + PKCE): redirects to the provider, with state, nonce and verifier in a signed httpOnly cookie for 10 minutes',
      tags: ['auth'],
      parameters: [{ name: 'returnTo', in: 'query', schema: { type: 'string' }, description: 'a path of the desk to open afterwards' }],
      responses: { '302': { description: 'to the provider' }, '404': err, '503': err },
    },
  },
  '/api/auth/oidc/callback': {
    get: {
      summary:
        "The provider's answer: the agent with that verified email is signed in (refresh cookie set) and sent to returnTo; otherwise back to the desk with ?sso_error=no_account|unverified_email|inactive|failed",
      tags: ['auth'],
      parameters: [
        { name: 'code', in: 'query', schema: { type: 'string' } },
        { name: 'state', in: 'query', schema: { type: 'string' } },
      ],
      responses: { '302': { description: 'to the desk' }, '404': err },
    },
  },
  '/api/auth/login': {
    post: {
      summary:
        'Sign in. Sets the httpOnly refresh cookie `sb_refresh` (path /api/auth). 401 `mfa_required` when a second factor is needed; 429 with Retry-After after 10 failures for the email or the client address in 15 minutes',
      tags: ['auth'],
      requestBody: body({ email: { type: 'string' }, password: { type: 'string' }, ...code }, ['email', 'password']),
      responses: {
        '200': json('short-lived access token and the agent', { ...tokenOut, agent: { $ref: '#/components/schemas/Agent' } }),
        '401': err,
        '429': err,
        '503': err,
      },
    },
  },
  '/api/auth/refresh': {
    post: {
      summary:
        'A new access token, from the refresh cookie or a still-valid bearer token; never past the session (SESSION_HOURS), never after deactivation or a password change (extension)',
      tags: ['auth'],
      responses: { '200': json('token', { ...tokenOut, sessionExpiresAt: { type: 'string', format: 'date-time' } }), '401': err },
    },
  },
  '/api/invites/{token}': {
    get: {
      summary:
        'What a set-password link is for: `{invite: {email, name, expiresAt}}`; 404 unknown or replaced, 409 used or expired (extension)',
      tags: ['auth'],
      parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { '200': json('the invitation'), '404': err, '409': err },
    },
    post: {
      summary:
        "Choose a password through a one-time link: the link is spent and the agent's old tokens stop working; answers `{email}` and the desk signs in as usual (extension)",
      tags: ['auth'],
      parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }],
      requestBody: body({ password: { type: 'string', minLength: 8 } }, ['password']),
      responses: { '200': json('the email to sign in with', { email: { type: 'string' } }), '400': err, '404': err, '409': err },
    },
  },
  '/api/auth/logout': {
    post: {
      summary:
        'Signs out (extension): clears the refresh cookie and sets the agent named by it (or by a bearer token) `offline`, withdrawing its live offers',
      tags: ['auth'],
      responses: { '204': { description: 'signed out' } },
    },
  },
  '/api/me/password': {
    put: {
      summary: "Change one's own password; every other token of the agent stops working; answers a new token (and cookie)",
      tags: ['auth'],
      ...secured,
      requestBody: body({ current: { type: 'string' }, password: { type: 'string', minLength: 8 } }, ['current', 'password']),
      responses: { '200': json('token', tokenOut), '400': err, '401': err, '429': err },
    },
  },
  '/api/me/mfa': {
    get: {
      summary: 'MFA state: {enabled, recoveryCodesLeft, required} (extension)',
      tags: ['auth'],
      ...secured,
      responses: { '200': json('state') },
    },
    delete: {
      summary: 'Turn MFA off (needs a current code; refused when the role requires MFA) (extension)',
      tags: ['auth'],
      ...secured,
      requestBody: body(code, ['code']),
      responses: { '204': { description: 'off' }, '400': err, '403': err },
    },
  },
  '/api/me/mfa/setup': {
    post: {
      summary: 'Start TOTP enrolment: a new secret and its otpauth:// URL (show it as a QR code)',
      tags: ['auth'],
      ...secured,
      responses: { '200': json('secret', { secret: { type: 'string' }, otpauthUrl: { type: 'string' } }), '409': err },
    },
  },
  '/api/me/mfa/enable': {
    post: {
      summary: 'Turn TOTP on with a first code; answers 10 one-time recovery codes (shown once, stored hashed)',
      tags: ['auth'],
      ...secured,
      requestBody: body(code, ['code']),
      responses: { '200': json('recovery codes', { recoveryCodes: { type: 'array', items: { type: 'string' } } }), '400': err },
    },
  },
  '/api/me/mfa/recovery-codes': {
    post: {
      summary: 'Replace the recovery codes (needs a current code) (extension)',
      tags: ['auth'],
      ...secured,
      requestBody: body(code, ['code']),
      responses: { '200': json('recovery codes'), '400': err },
    },
  },
  '/api/agents/{id}/mfa': {
    delete: {
      summary: "Remove an agent's second factor, e.g. a lost phone (admin; extension)",
      tags: ['agents'],
      ...secured,
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
      responses: { '200': json('agent'), '404': err },
    },
  },
  '/api/audit': {
    get: {
      summary: 'The audit log, newest first (admin). `action` takes a name, a family (`auth.*`) or a comma list; `format=csv` exports',
      tags: ['audit'],
      ...secured,
      parameters: ['actor', 'action', 'target', 'from', 'to', 'limit', 'cursor', 'format'].map((name) => ({
        name,
        in: 'query',
        schema: { type: 'string' },
      })),
      responses: {
        '200': json('{entries: [{id, at, actorId, actorEmail, action, target, ip, details}], nextCursor}'),
        '400': err,
        '401': err,
        '403': err,
      },
    },
  },
  '/api/audit/actions': {
    get: {
      summary: 'The documented audit actions with what each records (admin; extension)',
      tags: ['audit'],
      ...secured,
      responses: { '200': json('{actions}') },
    },
  },
});
