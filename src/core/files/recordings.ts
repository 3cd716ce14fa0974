import type { MessageRow } from '../../db/schema.js';

const RECORDING_SID = /^RE[0-9a-fA-F]{32}$/;

/** The vendor's recording behind a voice message (a voicemail or a call recording), if it carries one. */
export function recordingSidOf(m: Pick<MessageRow, 'channel' | 'metadata' | 'media'>): string | null {
  const sid = m.metadata?.recordingSid;
  const hasAudio = m.media.some((x) => x.contentType?.startsWith('audio/'));
  return m.channel === 'voice' && hasAudio && typeof sid === 'string' && RECORDING_SID.test(sid) ? sid : null;
}

/**
 * Where the API serves a message's recording (bearer; proxied from the vendor). Agents never
 * see the vendor's media URL: it would play for anyone holding it, or not at all once the
 * account enforces authentication on media.
 */
export const recordingPath = (messageId: string) => `/api/messages/${messageId}/recording`;

/** A message's media as the API shows it: recordings through our proxy. */
export function publicMedia(m: Pick<MessageRow, 'id' | 'channel' | 'metadata' | 'media'>): MessageRow['media'] {
  if (!recordingSidOf(m)) return m.media;
  return m.media.map((x) => (x.contentType?.startsWith('audio/') ? { ...x, url: recordingPath(m.id) } : x));
}
