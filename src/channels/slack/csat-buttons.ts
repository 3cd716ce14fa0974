import type { types } from '@slack/bolt';
import { readScore } from '../../core/csat/survey-policy.js';
import { UUID } from '../../core/patterns.js';

/** Action ids of the five buttons: `csat_rate_1` … `csat_rate_5` (unique within their block, as Slack requires). */
export const CSAT_ACTION = /^csat_rate_[1-5]$/;

/** The survey question as Block Kit: the text, then five buttons whose value names the conversation and the score. */
export function csatBlocks(text: string, conversationId: string): types.KnownBlock[] {
  return [
    { type: 'section', text: { type: 'plain_text', text } },
    {
      type: 'actions',
      block_id: 'csat',
      elements: [1, 2, 3, 4, 5].map((score) => ({
        type: 'button' as const,
        action_id: `csat_rate_${score}`,
        text: { type: 'plain_text' as const, text: `${score}${score === 1 ? ' 😞' : score === 5 ? ' 😀' : ''}` },
        value: `${conversationId}:${score}`,
      })),
    },
  ];
}

/** A click as the core needs it, or null for a value we never made. */
export function readCsatClick(value: unknown): { conversationId: string; score: number } | null {
  if (typeof value !== 'string') return null;
  const [conversationId, s, ...rest] = value.split(':');
  const score = readScore(s);
  if (rest.length || !UUID.test(conversationId ?? '') || score === null) return null;
  return { conversationId, score };
}
