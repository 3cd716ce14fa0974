import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/web/api.js';
import { i18next } from '../../src/web/i18n.js';
import { readableError } from '../../src/web/readable-error.js';
import { rightsOn } from '../../src/web/screens/desk/conversation/ownership.js';
import type { Agent, Conversation } from '../../src/web/types.js';

const agent = (id: string, role: string) => ({ id, role }) as Agent;
const held = (assigneeId: string | null) => ({ assigneeId }) as Conversation;

describe('what the desk lets an agent do with a conversation (mirrors src/core/conversations)', () => {
  it('the holder may reply, resolve and transfer', () => {
    expect(rightsOn(held('a'), agent('a', 'agent'))).toEqual({ mine: true, canReply: true, canResolve: true, canTransfer: true });
  });

  it('another agent may do none of them on a held conversation', () => {
    expect(rightsOn(held('b'), agent('a', 'agent'))).toEqual({ mine: false, canReply: false, canResolve: false, canTransfer: false });
  });

  it('an unassigned conversation may be transferred, not replied to or resolved, by an agent', () => {
    expect(rightsOn(held(null), agent('a', 'agent'))).toEqual({ mine: false, canReply: false, canResolve: false, canTransfer: true });
  });

  it('supervisors and admins may do all of it on anyone’s', () => {
    for (const role of ['supervisor', 'admin'])
      expect(rightsOn(held('b'), agent('s', role))).toEqual({ mine: false, canReply: true, canResolve: true, canTransfer: true });
  });
});

describe('refusals as sentences', () => {
  it('a 403 is a sentence in the desk’s language, not the server’s lowercase text', async () => {
    const refusal = new ApiError(403, 'forbidden', 'only the assigned agent (or a supervisor) can resolve it');
    await i18next.changeLanguage('en');
    expect(readableError(refusal, i18next.t)).toMatch(/^You may not do this here: .* add an internal note\.$/);
    await i18next.changeLanguage('es');
    expect(readableError(refusal, i18next.t)).toMatch(/^No puede hacer esto aquí: .* nota interna\.$/);
    await i18next.changeLanguage('en');
  });

  it('other errors keep the server’s words, starting with a capital and ending with a full stop', () => {
    expect(readableError(new ApiError(409, 'conflict', 'conversation is resolved'), i18next.t)).toBe('Conversation is resolved.');
    expect(readableError(new ApiError(409, 'conflict', 'This conversation is resolved.'), i18next.t)).toBe(
      'This conversation is resolved.',
    );
  });
});
