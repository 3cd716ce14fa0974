import { useEffect, useRef, useState } from 'react';
import { clock, formatBytes, waitLabel } from '../../../format.js';
import type { Agent, Media, Message } from '../../../types.js';
import { ChannelBadge, Icon } from '../../../components/bits.js';
import { senderAuthBadge } from '../../../sender-auth.js';

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);

const VOICE_LABEL: Record<string, string> = {
  call: 'Call',
  voicemail: 'Voicemail',
  recording: 'Call recording',
  transcription: 'Voicemail transcription',
  callback: 'Callback requested',
  'outbound-call': 'Outgoing call',
};

/** Reads the channel-specific extras a message may carry, whatever channel adapter wrote them. */
export function messageExtras(m: Message) {
  const md = m.metadata ?? {};
  const email = (md.email ?? {}) as Record<string, unknown>;
  const audio = m.media.filter((x) => x.contentType?.startsWith('audio/'));
  const attachments = m.media.filter((x) => !x.contentType?.startsWith('audio/'));
  const kind = str(md.kind) ?? str(md.type);
  return {
    subject: str(md.subject) ?? str(email.subject),
    author: str(md.fromName) ?? str(md.userName) ?? str(md.author),
    duration: num(md.durationSeconds) ?? num(md.duration) ?? num(md.callDuration),
    recordingUrl: str(md.recordingUrl) ?? audio[0]?.url ?? null,
    voiceLabel: m.channel === 'voice' ? (VOICE_LABEL[kind ?? 'call'] ?? 'Call') : null,
    transcript: kind === 'transcription',
    autoReply: !!email.autoReply,
    senderAuth: senderAuthBadge(m),
    attachments,
  };
}

/** Sends a failed reply again; absent when the viewer may not (not the assignee, conversation closed). */
type OnRetry = (m: Message) => Promise<void>;

export function Timeline({
  messages,
  me,
  subject,
  onRetry,
}: {
  messages: Message[];
  me: Agent | null;
  subject?: string | null;
  onRetry?: OnRetry;
}) {
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [messages.length]);
  let lastDay = '';
  // An email conversation's subject heads its first email.
  const firstEmail = messages.find((m) => m.channel === 'email' && !m.internal)?.id;
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
            <MessageItem m={m} me={me} subject={m.id === firstEmail ? subject : null} onRetry={onRetry} />
          </div>
        );
      })}
      <div ref={end} />
    </div>
  );
}

function MessageItem({ m, me, subject, onRetry }: { m: Message; me: Agent | null; subject?: string | null; onRetry?: OnRetry }) {
  const x = messageExtras(m);
  const heading = x.subject ?? subject ?? null;
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
        {x.voiceLabel && (
          <div className="call-card">
            <Icon name="voice" size={14} />
            <strong>{x.voiceLabel}</strong>
            {x.duration !== null && <span>· {waitLabel(x.duration)}</span>}
          </div>
        )}
        {x.autoReply && <div className="pill">auto-reply</div>}
        {x.senderAuth && (
          <div
            className={`pill sender-auth${x.senderAuth.tone === 'muted' ? '' : ` pill-${x.senderAuth.tone}`}`}
            title={x.senderAuth.title}
            data-testid="sender-auth"
          >
            {x.senderAuth.label}
          </div>
        )}
        {heading && <div className="msg-subject">{heading}</div>}
        {m.body && !(x.voiceLabel && /^(Voicemail|Call recording) \(\d+ s\)$/.test(m.body)) && (
          <div className={x.transcript ? 'msg-transcript' : 'msg-body'}>{x.transcript ? `“${m.body}”` : m.body}</div>
        )}
        {x.recordingUrl && (
          <audio className="recording" controls preload="none" src={x.recordingUrl} aria-label={x.voiceLabel ?? 'Recording'} />
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
      {m.direction === 'outbound' && (m.status === 'failed' || m.status === 'undelivered') && <SendFailure m={m} onRetry={onRetry} />}
    </div>
  );
}

/** Why a reply did not reach the contact, and a way to send it again. */
function SendFailure({ m, onRetry }: { m: Message; onRetry?: OnRetry }) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const retry = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await onRetry!(m);
    } catch (err) {
      setProblem(err instanceof Error ? err.message : 'Could not retry');
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="send-failure" role="alert" data-testid="send-failure">
      <span>Not delivered{m.error ? `: ${m.error}` : ''}</span>
      {onRetry && (
        <button className="btn" onClick={() => void retry()} disabled={busy}>
          {busy ? 'Retrying…' : 'Retry'}
        </button>
      )}
      {problem && <span className="muted"> {problem}</span>}
    </div>
  );
}
