import { useTranslation } from 'react-i18next';
import type { ReactNode } from 'react';
import { channelLabel } from '../format.js';
import type { Channel } from '../types.js';

const PATHS: Record<string, string> = {
  sms: 'M4 5h16v11H8l-4 4z',
  voice:
    'M6.6 10.8a15 15 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z',
  email: 'M3 6h18v12H3zM3 6l9 7 9-7',
  slack: 'M9 3 7 21M17 3l-2 18M4 8h17M3 16h17',
  mute: 'M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3zM5 11a7 7 0 0 0 14 0M12 18v3',
  pause: 'M8 5v14M16 5v14',
  keypad: 'M6 5h.01M12 5h.01M18 5h.01M6 11h.01M12 11h.01M18 11h.01M6 17h.01M12 17h.01M18 17h.01',
  transfer: 'M4 8h13l-3-3M20 16H7l3 3',
  hangup: 'M3 15c5-5 13-5 18 0l-2.5 2.5-3-2v-2.5a10 10 0 0 0-5 0v2.5l-3 2z',
  paperclip: 'M20 11l-8.5 8.5a5 5 0 0 1-7-7L13 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L14 7',
  note: 'M5 4h10l4 4v12H5zM14 4v5h5',
  play: 'M8 5l11 7-11 7z',
  person: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0',
};

export function Icon({ name, size = 16, className }: { name: keyof typeof PATHS; size?: number; className?: string }) {
  const filled = name === 'voice' || name === 'play' || name === 'hangup';
  return (
    <svg
      className={className}
      width={size}
      height={size}
      viewBox="0 0 24 24"
      aria-hidden="true"
      fill={filled ? 'currentColor' : 'none'}
      stroke={filled ? 'none' : 'currentColor'}
      strokeWidth={name === 'keypad' ? 3.2 : 2}
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <path d={PATHS[name] ?? ''} />
    </svg>
  );
}

export function ChannelBadge({ channel, withLabel = false }: { channel: Channel; withLabel?: boolean }) {
  return (
    <span className={`chan chan-${channel}`} title={channelLabel(channel)} role="img" aria-label={channelLabel(channel)}>
      <Icon name={channel} size={13} />
      {withLabel && <span className="chan-label">{channelLabel(channel)}</span>}
    </span>
  );
}

export function StatusPill({ status }: { status: string }) {
  const { t } = useTranslation();
  return <span className={`status status-${status}`}>{t(`status.${status}`, { defaultValue: status })}</span>;
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <div className="empty-title">{title}</div>
      {children && <div className="muted">{children}</div>}
    </div>
  );
}
