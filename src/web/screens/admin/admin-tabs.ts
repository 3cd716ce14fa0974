import type { Agent } from '../../types.js';

/** The admin screen's tabs, apart from the screen itself so the address bar can name them before it loads. */
export const ADMIN_TABS = ['agents', 'queues', 'inboxes', 'canned', 'dispositions', 'ivr', 'scorecard'] as const;
export type AdminTab = (typeof ADMIN_TABS)[number];
/** Agents, queues, inboxes and the scorecard are admins' (their API is admin-only); supervisors keep the shared content and the IVR view. */
export const tabsFor = (me: Agent): AdminTab[] => (me.role === 'admin' ? [...ADMIN_TABS] : ['canned', 'dispositions', 'ivr']);
