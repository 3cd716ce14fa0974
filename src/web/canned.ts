/** Canned responses offered in the composer; `{name}` becomes the contact's first name, `{agent}` the agent's. */
export type Canned = { id: string; title: string; body: string };

export const CANNED: Canned[] = [
  { id: 'greet', title: 'Greeting', body: 'Hi {name}, this is {agent}. Thanks for reaching out — how can I help today?' },
  { id: 'lookup', title: 'Looking into it', body: 'Thanks, {name}. Give me a moment while I look into this for you.' },
  {
    id: 'donation',
    title: 'Donation changed',
    body: 'All set, {name}: your monthly donation has been updated. You will get an email receipt shortly.',
  },
  {
    id: 'receipt',
    title: 'Receipt resent',
    body: 'I have re-sent your receipt to the email we have on file. Please check your spam folder too.',
  },
  {
    id: 'volunteer',
    title: 'Volunteer info',
    body: 'Thank you for volunteering, {name}! Our coordinator will contact you within two business days.',
  },
  {
    id: 'crisis',
    title: 'Crisis resources',
    body: 'If you are in immediate danger, please call 911. You can also reach the 988 Suicide & Crisis Lifeline by calling or texting 988.',
  },
  { id: 'close', title: 'Closing', body: 'Is there anything else I can help with, {name}? If not, have a great day!' },
];

export function fillCanned(body: string, vars: { name?: string | null; agent?: string | null }): string {
  const first = (vars.name ?? '').trim().split(/\s+/)[0] || 'there';
  const agent = (vars.agent ?? '').trim().split(/\s+/)[0] || 'your agent';
  return body.replaceAll('{name}', first).replaceAll('{agent}', agent);
}

/** Disposition codes for resolving a conversation. */
export const DISPOSITIONS = [
  { code: 'resolved', label: 'Resolved' },
  { code: 'info-provided', label: 'Information provided' },
  { code: 'donation-updated', label: 'Donation updated' },
  { code: 'callback-scheduled', label: 'Callback scheduled' },
  { code: 'escalated', label: 'Escalated' },
  { code: 'no-response', label: 'No response' },
  { code: 'spam', label: 'Spam / wrong number' },
];
