import { useEffect, useRef } from 'react';
import { clock, formatBytes, waitLabel } from '../format.js';
import type { Agent, Media, Message } from '../types.js';
import { ChannelBadge, Icon } from './bits.js';

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);

/** Reads the channel-specific extras a message may carry, whatever channel adapter wrote them. */
export function messageExtras(m: Message) {
  const md = m.metadata ?? {};
  const audio = m.media.filter((x) => x.contentType?.startsWith('audio/'));
  const attachments = m.media.filter((x) => !x.contentType?.startsWith('audio/'));
  const kind = str(md.kind) ?? str(md.type);
  return {
    subject: str(md.subject),
    author: str(md.fromName) ?? str(md.from) ?? str(md.userName) ?? str(md.user_name) ?? str(md.author),
    duration: num(md.durationSeconds) ?? num(md.duration) ?? num(md.callDuration) ?? num(md.recordingDuration),
    recordingUrl: str(md.recordingUrl) ?? audio[0]?.url ?? null,
    voicemail: md.voicemail === true || kind === 'voicemail',
    call: m.channel === 'voice' && (kind === 'call' || kind === null || kind === 'voicemail' || !!str(md.callStatus) || num(md.durationSeconds) !== null),
    callStatus: str(md.callStatus) ?? str(md.status),
    transcript: str(md.transcription) ?? str(md.transcript),
    attachments,
  };
}

export function Timeline({ messages, me }: { messages: Message[]; me: Agent | null }) {
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [messages.length]);
  let lastDay = '';
  return (
    <div className="timeline" role="log" aria-label="Messages" aria-live="polite">
      {messages.map((m) => {
        const day = new Date(m.createdAt).toDateString();
        const sep = day !== lastDay;
        lastDay = day;
        return (
          <div key={m.id}>
            {sep && (
              <div className="day-sep">
                <span>{new Date(m.createdAt).toLocaleDateString([], { weekday: 'long', month: 'short', day: 'numeric' })}</span>
              </div>
            )}
            <MessageItem m={m} me={me} />
          </div>
        );
      })}
      <div ref={end} />
    </div>
  );
}

function MessageItem({ m, me }: { m: Message; me: Agent | null }) {
  const x = messageExtras(m);
  if (m.internal) {
    return (
      <div className="msg-note" data-testid="note">
        <div className="msg-note-head">
          <Icon name="note" size={13} /> Internal note · {m.authorAgentId === me?.id ? 'you' : 'agent'} · {clock(m.createdAt)}
        </div>
        <div className="msg-body">{m.body}</div>
      </div>
    );
  }
  const side = m.direction === 'inbound' ? 'in' : 'out';
  return (
    <div className={`msg msg-${side} msg-${m.channel}`} data-testid="message">
      <div className="bubble">
        {x.call && (
          <div className="call-card">
            <Icon name="voice" size={14} />
            <strong>{x.voicemail ? 'Voicemail' : m.direction === 'inbound' ? 'Incoming call' : 'Outgoing call'}</strong>
            {x.duration !== null && <span>· {waitLabel(x.duration)}</span>}
            {x.callStatus && <span className="muted">· {x.callStatus}</span>}
          </div>
        )}
        {x.subject && <div className="msg-subject">{x.subject}</div>}
        {m.body && <div className="msg-body">{m.body}</div>}
        {x.transcript && x.transcript !== m.body && <div className="msg-transcript">“{x.transcript}”</div>}
        {x.recordingUrl && (
          <audio className="recording" controls preload="none" src={x.recordingUrl} aria-label={x.voicemail ? 'Voicemail recording' : 'Call recording'} />
        )}
        {x.attachments.length > 0 && (
          <ul className="attachments" aria-label="Attachments">
            {x.attachments.map((a: Media, i) => (
              <li key={i}>
                <a href={a.url} target="_blank" rel="noreferrer noopener">
                  <Icon name="paperclip" size={13} />
                  {a.name ?? a.contentType ?? 'attachment'}
                </a>
                {a.size ? <span className="muted"> {formatBytes(a.size)}</span> : null}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="msg-meta">
        <ChannelBadge channel={m.channel} />
        {x.author && m.direction === 'inbound' && <span>{x.author}</span>}
        {m.direction === 'outbound' && <span>{m.authorAgentId === me?.id ? 'You' : m.authorAgentId ? 'Agent' : 'Switchboard'}</span>}
        <time dateTime={m.createdAt}>{clock(m.createdAt)}</time>
        {m.direction === 'outbound' && <span className={`delivery delivery-${m.status}`}>{m.status}</span>}
      </div>
    </div>
  );
}
