import type { Channel, IdentityKind } from '../db/schema.js';

/**
 * Which kind of address a channel speaks to: a reply on a channel goes to the
 * contact's identity of this kind, and inbound messages arrive at an inbox of
 * this kind. Type imports only, so the desk can import it too.
 */
export const IDENTITY_FOR_CHANNEL: Record<Channel, IdentityKind> = {
  voice: 'phone',
  sms: 'phone',
  email: 'email',
  slack: 'slack',
};
