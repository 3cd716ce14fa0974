/**
 * The fixed value lists the tables, the API schemas and the desk share. Plain values with no
 * imports, so the desk's bundle can import them without the table definitions (schema.ts re-exports).
 */
export const CHANNELS = ['voice', 'sms', 'email', 'slack'] as const;
export const ROLES = ['agent', 'supervisor', 'admin'] as const;
export const IDENTITY_KINDS = ['phone', 'email', 'slack'] as const;
export const LANGUAGES = ['en', 'es'] as const;
/** Where callbacks and voicemails of a queue wait against live callers (see schema.ts). */
export const CALLBACK_ORDERS = ['afterLive', 'arrival', 'first'] as const;
