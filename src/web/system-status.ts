import { request } from './api.js';

/** Whether replies reach real people: the sandbox is on, or vendors are missing in production. */
export type SystemStatus = { sandbox: boolean; notice: string | null; missingVendors: string[] };
export const systemStatus = () => request<SystemStatus>('GET', '/api/system');
