import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { i18next } from '../../../i18n.js';
import { clock, formatBytes, waitLabel } from '../../../format.js';
import type { Agent, Conversation, Message } from '../../../types.js';
import type { FileLinks } from './use-file-links.js';
import { ChannelBadge, Icon } from '../../../components/bits.js';
import { senderAuthBadge } from '../../../sender-auth.js';

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);

/** Kinds of voice message with a label of their own (timeline.voice.* in the catalogues). */
const VOICE_KINDS = new Set(['call', 'voicemail', 'recording', 'transcription', 'callback', 'outbound-call']);

/** Reads the channel-specific extras a message may carry, whatever channel adapter wrote them. */
export function messageExtras(m: Message) {
  const md = m.metadata ?? {};
  const email = (md.email ?? {}) as Record<string, unknown>;
  // Each item keeps its place in `media`: signed links are looked up by message and index.
  const indexed = m.media.map((x, index) => ({ ...x, index }));
  const audio = indexed.filter((x) => x.contentType?.startsWith('audio/'));
  const attachments = indexed.filter((x) => !x.contentType?.startsWith('audio/'));
  const kind = str(md.kind) ?? str(md.type);
  return {
    subject: str(md.subject) ?? str(email.subject),
    author: str(md.fromName) ?? str(md.userName) ?? str(md.author),
    duration: num(md.durationSeconds) ?? num(md.duration) ?? num(md.callDuration),
    recording: audio[0] ?? null,
    voiceLabel: m.channel === 'voice' ? i18next.t(`timeline.voice.${VOICE_KINDS.has(kind ?? '') ? kind : 'call'}`) : null,
    transcript: kind === 'transcription',
    autoReply: !!email.autoReply,
    senderAuth: senderAuthBadge(m),
    attachments,
  };
}

/** Images a browser shows as they are (the server sends any other type as opaque bytes). */
const IMAGE = /^image\/(png|jpeg|gif|webp)$/i;

/**
 * A recording through its signed link. The link is set once: a new `src` would restart the
 * audio. If it expires mid-listen (the next seek fails), a fresh link resumes where it was.
 */
function RecordingPlayer({ url, label, onExpired }: { url: string | null; label: string; onExpired?: () => Promise<void> }) {
  const audio = useRef<HTMLAudioElement>(null);
  const [src, setSrc] = useState<string | null>(url);
  const resumeAt = useRef<number | null>(null);
  useEffect(() => {
    if (!src && url) setSrc(url);
  }, [src, url]);
  const [expired, setExpired] = useState(false);
  useEffect(() => {
    if (expired && url && url !== src) {
      resumeAt.current = audio.current?.currentTime ?? null;
      setSrc(url);
      setExpired(false);
    }
  }, [expired, url, src]);
  if (!src) return <div className="muted recording-pending">{i18next.t('timeline.preparingPlayer', { label })}</div>;
  return (
    <audio
      ref={audio}
      className="recording"
      controls
      preload="metadata"
      src={src}
      aria-label={label}
      onError={() => {
        setExpired(true);
        void onExpired?.();
      }}
      onLoadedMetadata={(e) => {
        if (resumeAt.current !== null) e.currentTarget.currentTime = resumeAt.current;
        resumeAt.current = null;
      }}
    />
  );
}

/** Sends a failed reply again; absent when the viewer may not (not the assignee, conversation closed). */
type OnRetry = (m: Message) => Promise<void>;

export function Timeline({
  messages,
  me,
  subject,
  onRetry,
  links,
  conversation,
}: {
  messages: Message[];
  me: Agent | null;
  subject?: string | null;
  onRetry?: OnRetry;
  links?: FileLinks;
  /** A resolved conversation's wrap-up (disposition and note) takes its place in time among the messages. */
  conversation?: Conversation;
}) {
  const end = useRef<HTMLDivElement>(null);
  const wrapUp = conversation?.status === 'resolved' && conversation.resolvedAt ? conversation : null;
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'end' });
  }, [messages.length, wrapUp?.resolvedAt]);
  const wrapUpAt = wrapUp ? Date.parse(wrapUp.resolvedAt!) : Infinity;
  // Where the wrap-up goes: before the first message written after it (a CSAT question, an answer).
  const wrapUpIndex = wrapUp ? messages.findIndex((m) => Date.parse(m.createdAt) > wrapUpAt) : -1;
  const { t, i18n } = useTranslation();
  let lastDay = '';
  // An email conversation's subject heads its first email.
  const firstEmail = messages.find((m) => m.channel === 'email' && !m.internal)?.id;
  return (
    <div className="timeline" role="log" aria-label={t('timeline.label')} aria-live="polite">
      {messages.map((m, i) => {
        const day = new Date(m.createdAt).toDateString();
        const sep = day !== lastDay;
        lastDay = day;
        return (
          <div key={m.id}>
            {i === wrapUpIndex && wrapUp && <WrapUp conversation={wrapUp} />}
            {sep && (
              <div className="day-sep">
                <span>{new Date(m.createdAt).toLocaleDateString(i18n.language, { weekday: 'long', month: 'short', day: 'numeric' })}</span>
              </div>
            )}
            <MessageItem m={m} me={me} subject={m.id === firstEmail ? subject : null} onRetry={onRetry} links={links} />
          </div>
        );
      })}
      {wrapUp && wrapUpIndex === -1 && <WrapUp conversation={wrapUp} />}
      <div ref={end} />
    </div>
  );
}

/** How the conversation was closed: the disposition's label (its code until the label is known) and the wrap-up note. */
function WrapUp({ conversation: c }: { conversation: Conversation }) {
  const { t } = useTranslation();
  return (
    <div className="msg-wrapup" data-testid="wrap-up">
      <div className="msg-wrapup-head">
        <Icon name="note" size={13} /> {t('timeline.resolvedAt', { time: clock(c.resolvedAt!) })}
        {c.disposition && <span className="pill">{c.dispositionLabel ?? c.disposition}</span>}
      </div>
      {c.wrapUpNote && (
        <div className="msg-body" dir="auto">
          {c.wrapUpNote}
        </div>
      )}
    </div>
  );
}

function MessageItem({
  m,
  me,
  subject,
  onRetry,
  links,
}: {
  m: Message;
  me: Agent | null;
  subject?: string | null;
  onRetry?: OnRetry;
  links?: FileLinks;
}) {
  const { t } = useTranslation();
  const x = messageExtras(m);
  const heading = x.subject ?? subject ?? null;
  if (m.internal) {
    return (
      <div className="msg-note" data-testid={m.metadata?.event === 'transfer' ? 'transfer-record' : 'note'}>
        <div className="msg-note-head">
          <Icon name="note" size={13} /> {m.metadata?.event === 'transfer' ? t('timeline.transfer') : t('timeline.note')} ·{' '}
          {m.authorAgentId === me?.id ? t('timeline.byYou') : t('timeline.byAgent')} · {clock(m.createdAt)}
        </div>
        <div className="msg-body" dir="auto">
          {m.body}
        </div>
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
        {x.autoReply && <div className="pill">{t('timeline.autoReply')}</div>}
        {x.senderAuth && (
          <div
            className={`pill sender-auth${x.senderAuth.tone === 'muted' ? '' : ` pill-${x.senderAuth.tone}`}`}
            title={x.senderAuth.title}
            data-testid="sender-auth"
          >
            {x.senderAuth.label}
          </div>
        )}
        {heading && (
          <div className="msg-subject" dir="auto">
            {heading}
          </div>
        )}
        {m.body && !(x.voiceLabel && /^(Voicemail|Call recording) \(\d+ s\)$/.test(m.body)) && (
          <div className={x.transcript ? 'msg-transcript' : 'msg-body'} dir="auto">
            {x.transcript ? `“${m.body}”` : m.body}
          </div>
        )}
        {x.recording && (
          <RecordingPlayer
            url={links?.get(m.id, x.recording.index)?.url ?? null}
            label={x.voiceLabel ?? t('timeline.voice.recording')}
            onExpired={links?.refresh}
          />
        )}
        {x.attachments.length > 0 && (
          <ul className="attachments" aria-label={t('timeline.attachments')}>
            {x.attachments.map((a) => {
              // Media we neither hold nor proxy (MMS) keep their own address.
              const url = links?.get(m.id, a.index)?.url ?? (/^https?:\/\//.test(a.url) ? a.url : undefined);
              const name = a.name ?? a.contentType ?? t('timeline.attachment');
              return (
                <li key={a.index} className={url && IMAGE.test(a.contentType ?? '') ? 'attachment-image' : undefined}>
                  {url && IMAGE.test(a.contentType ?? '') && (
                    <a href={url} target="_blank" rel="noreferrer noopener" aria-hidden="true" tabIndex={-1}>
                      <img className="thumb" src={url} alt="" loading="lazy" onError={() => void links?.refresh()} />
                    </a>
                  )}
                  {url ? (
                    <a href={url} target="_blank" rel="noreferrer noopener" data-testid="attachment">
                      <Icon name="paperclip" size={13} />
                      {name}
                    </a>
                  ) : (
                    <span className="muted">
                      <Icon name="paperclip" size={13} />
                      {name}
                    </span>
                  )}
                  {a.size ? <span className="muted"> {formatBytes(a.size)}</span> : null}
                </li>
              );
            })}
          </ul>
        )}
      </div>
      <div className="msg-meta">
        <ChannelBadge channel={m.channel} />
        {x.author && m.direction === 'inbound' && <bdi>{x.author}</bdi>}
        {m.direction === 'outbound' && (
          <span>{m.authorAgentId === me?.id ? t('timeline.you') : m.authorAgentId ? t('timeline.agent') : t('timeline.system')}</span>
        )}
        <time dateTime={m.createdAt}>{clock(m.createdAt)}</time>
        {m.direction === 'outbound' && (
          <span className={`delivery delivery-${m.status}`}>{t(`timeline.delivery.${m.status}`, { defaultValue: m.status })}</span>
        )}
      </div>
      {m.direction === 'outbound' && (m.status === 'failed' || m.status === 'undelivered') && <SendFailure m={m} onRetry={onRetry} />}
    </div>
  );
}

/** Why a reply did not reach the contact, and a way to send it again. */
function SendFailure({ m, onRetry }: { m: Message; onRetry?: OnRetry }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const retry = async () => {
    setBusy(true);
    setProblem(null);
    try {
      await onRetry!(m);
    } catch (err) {
      setProblem(err instanceof Error ? err.message : t('timeline.retryFailed'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="send-failure" role="alert" data-testid="send-failure">
      <span>{m.error ? t('timeline.notDeliveredBecause', { error: m.error }) : t('timeline.notDelivered')}</span>
      {onRetry && (
        <button className="btn" onClick={() => void retry()} disabled={busy}>
          {busy ? t('timeline.retrying') : t('timeline.retry')}
        </button>
      )}
      {problem && <span className="muted"> {problem}</span>}
    </div>
  );
}
