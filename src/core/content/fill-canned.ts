/**
 * The variables a canned response may hold, filled in the composer before the agent sends.
 * Pure, so the desk and the server (tests, a future API use) fill them the same way.
 */
export const CANNED_VARIABLES = ['{contact.first_name}', '{agent.name}', '{conversation.number}'] as const;

export type CannedContext = { contactName?: string | null; agentName?: string | null; conversationNumber?: number | null };

const firstWord = (s: string | null | undefined) => (s ?? '').trim().split(/\s+/)[0] ?? '';

/** Unknown `{…}` are left as they are, so a typo shows in the composer instead of vanishing. */
export function fillCanned(
  body: string,
  ctx: CannedContext,
  fallback: { contact: string; agent: string } = { contact: 'there', agent: 'your agent' },
): string {
  const values: Record<(typeof CANNED_VARIABLES)[number], string> = {
    '{contact.first_name}': firstWord(ctx.contactName) || fallback.contact,
    '{agent.name}': firstWord(ctx.agentName) || fallback.agent,
    '{conversation.number}': ctx.conversationNumber != null ? String(ctx.conversationNumber) : '',
  };
  return body.replace(/\{(contact\.first_name|agent\.name|conversation\.number)\}/g, (v) => values[v as keyof typeof values]);
}

/**
 * The composer's `/` search: every word typed must start a word of the title (or appear in the
 * body), so `/don ch` finds "Donation changed".
 */
export function matchesCannedQuery(item: { title: string; body: string }, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const titleWords = item.title.toLowerCase().split(/[^\p{L}\p{N}]+/u);
  const body = item.body.toLowerCase();
  return words.every((w) => titleWords.some((t) => t.startsWith(w)) || body.includes(w));
}
