/**
 * Every audit action, with what it records. `recordAudit` accepts only these names, so the
 * list stays complete: add a line here (and to docs/security.md) before writing a new kind of
 * entry. Targets are `agent:<id>`, `queue:<key>`, `inbox:<id>`, `conversation:<id>`,
 * `contact:<id>`, `email:<address>` (failed sign-ins of unknown agents).
 */
export const AUDIT_ACTIONS = {
  // Sign-in and sessions
  'auth.login': 'signed in (details: via password or oidc, mfa used)',
  'auth.login_failed': 'a sign-in was refused (details: email, reason: password, mfa, inactive, unknown_oidc_account, unverified_email…)',
  'auth.login_locked': 'too many failed sign-ins: further ones answer 429 for a while (details: email or address, retry window)',
  'auth.refresh': 'an access token was renewed',
  'auth.logout': 'signed out (the refresh cookie was cleared)',
  'auth.password_changed': "an agent changed their own password (the agent's other tokens stop working)",
  'auth.invite_accepted': 'an agent chose their password through a one-time invitation link (the link is spent)',
  'auth.mfa_enabled': 'an agent turned on TOTP',
  'auth.mfa_disabled': 'an agent turned off TOTP',
  'auth.mfa_recovery_used': 'an agent signed in with a recovery code (details: codes left)',
  'auth.mfa_recovery_codes_renewed': 'an agent replaced their recovery codes',
  // Administration (details carry before/after)
  'agent.create': 'an admin created an agent (or single sign-on provisioned one: details.via = oidc)',
  'agent.invite': 'an admin made a one-time set-password link for an agent (details: expiresAt; earlier unused links stop working)',
  'agent.update': 'an admin changed an agent (never the password itself: details.passwordChanged)',
  'agent.deactivate': 'an admin deactivated an agent: its tokens are refused and its sockets closed',
  'agent.reactivate': 'an admin restored an agent',
  'agent.mfa_reset': "an admin removed an agent's second factor",
  'queue.create': 'an admin created a queue',
  'queue.update': 'an admin changed a queue',
  'queue.delete': 'an admin deleted a queue nothing depended on',
  'inbox.create': 'an admin added an inbox (number, address, Slack channel)',
  'inbox.update': 'an admin changed where an inbox routes',
  'inbox.delete': 'an admin removed an inbox',
  'canned_response.create': 'a canned response was written',
  'canned_response.update': 'a canned response was changed',
  'canned_response.delete': 'a canned response was removed',
  'disposition.create': 'a disposition code was added',
  'disposition.update': 'a disposition code was changed',
  'disposition.delete': 'a disposition code nobody used was removed',
  'disposition.archive': 'a disposition code in use was archived instead of deleted (resolve no longer accepts it)',
  'crisis.terms.update': 'an admin replaced the crisis phrases (details: added, removed, count)',
  'crisis.settings.update': 'an admin changed the crisis settings: resources text, staff Slack channel (before/after)',
  'incident.declare': 'a supervisor declared an incident (details: title, queues)',
  'incident.update': 'a supervisor changed an open incident (details: fields changed, title, queues)',
  'incident.resolve': 'a supervisor resolved an incident (details: linked conversations told and closed)',
  'incident.link': 'an agent linked a conversation to an incident',
  'incident.unlink': 'an agent removed a conversation linked to an incident by mistake',
  // Data access
  'conversation.view': 'a supervisor or admin opened a conversation outside their own queues (at most once per 10 minutes each)',
  'report.export': 'a report was exported (details: format, range)',
  'audit.export': 'the audit log was exported as CSV',
  'contact.erase':
    "an admin erased a contact's data (details: conversations, messages, attachments, recordings, identities, opt-outs kept)",
  'retention.purge': 'the nightly retention job deleted closed conversations older than RETENTION_DAYS (details: counts, cut-off)',
  'contact.merge': 'an agent merged two contacts (target: the kept one; details: merged id, conversations and identities moved)',
  'sandbox.inbound': 'an admin injected a contact message through the sandbox',
} as const satisfies Record<string, string>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;
export const isAuditAction = (a: string): a is AuditAction => a in AUDIT_ACTIONS;
