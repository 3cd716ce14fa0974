import { i18next } from './i18n.js';
import type { Channel, ContactRef } from './types.js';

/** The desk's language for Intl (follows the agent's choice, see i18n.ts). */
const lang = () => i18next.language || 'en';

/** A channel as a noun in a sentence ("Incoming call"): voice is a call here, not "Voice". */
export const channelLabel = (c: Channel) => i18next.t(`channelNouns.${c}`, { defaultValue: c });

export const contactLabel = (c: Partial<ContactRef> | undefined | null) => c?.name || c?.address || i18next.t('format.unknownContact');

export const unit = (n: number, u: 'second' | 'minute' | 'hour' | 'day', pad = false) =>
  new Intl.NumberFormat(lang(), { style: 'unit', unit: u, unitDisplay: 'narrow', minimumIntegerDigits: pad ? 2 : 1 }).format(n);

export function timeAgo(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 45) return i18next.t('format.now');
  if (s < 3600) return unit(Math.round(s / 60), 'minute');
  if (s < 86400) return unit(Math.round(s / 3600), 'hour');
  return unit(Math.round(s / 86400), 'day');
}

export function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString(lang(), { hour: '2-digit', minute: '2-digit' });
}

/** A date alone, in the desk's language ("27/11/2026" in Spanish). */
export const formatDate = (iso: string) => new Date(iso).toLocaleDateString(lang());

/** Date and time, short, in the desk's language. */
export const formatDateTime = (iso: string) => new Date(iso).toLocaleString(lang(), { dateStyle: 'short', timeStyle: 'short' });

export function dayAndTime(iso: string): string {
  return new Date(iso).toLocaleString(lang(), { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** "45s", "3m 05s", "1h 02m" (narrow units of the desk's language). */
export function waitLabel(seconds: number): string {
  const t = Math.max(0, Math.round(seconds));
  if (t < 60) return unit(t, 'second');
  if (t < 3600) return `${unit(Math.floor(t / 60), 'minute')} ${unit(t % 60, 'second', true)}`;
  return `${unit(Math.floor(t / 3600), 'hour')} ${unit(Math.floor((t % 3600) / 60), 'minute', true)}`;
}

export const percent = (v: number | null) =>
  v === null ? '—' : new Intl.NumberFormat(lang(), { style: 'percent', maximumFractionDigits: 0 }).format(v / 100);

export const formatNumber = (n: number) => new Intl.NumberFormat(lang()).format(n);

export function formatBytes(n?: number): string {
  if (!n) return '';
  const f = (v: number, u: 'byte' | 'kilobyte' | 'megabyte', digits = 0) =>
    // Intl's short form of a byte is "69 byte" in English; the long one reads right ("69 bytes").
    new Intl.NumberFormat(lang(), {
      style: 'unit',
      unit: u,
      unitDisplay: u === 'byte' ? 'long' : 'short',
      maximumFractionDigits: digits,
    }).format(v);
  if (n < 1024) return f(n, 'byte');
  if (n < 1024 * 1024) return f(Math.round(n / 1024), 'kilobyte');
  return f(n / 1024 / 1024, 'megabyte', 1);
}

/** Up to two initials from the letters of a name; '' when there are none (a phone number). */
export const initials = (name: string | null | undefined) =>
  (name || '')
    .split(/[\s@._-]+/)
    .filter((w) => /^\p{L}/u.test(w))
    .slice(0, 2)
    .map((w) => w[0].toUpperCase())
    .join('');
