import { i18next } from '../i18n.js';
/**
 * The softphone as a pure state machine. The Voice SDK's Device and Call
 * events, and the agent's clicks, become events; `softphoneReducer` decides
 * what is allowed. Illegal events (answering when nothing rings…) change nothing.
 */
export type DeviceStatus = 'off' | 'registering' | 'ready' | 'unavailable' | 'error';
export type CallPhase = 'ringing' | 'connecting' | 'open';

export type ActiveCall = {
  phase: CallPhase;
  direction: 'inbound' | 'outbound';
  /** The other party: caller number for inbound, dialled number for outbound. */
  peer: string;
  callSid: string | null;
  conversationId: string | null;
  startedAt: number | null;
  muted: boolean;
  held: boolean;
  digits: string;
};

export type SoftphoneState = {
  device: DeviceStatus;
  call: ActiveCall | null;
  error: string | null;
  lastCall: { peer: string; seconds: number } | null;
};

export type SoftphoneEvent =
  | { type: 'register.start' }
  | { type: 'register.ok' }
  | { type: 'register.unavailable'; reason: string }
  | { type: 'device.error'; message: string }
  | { type: 'incoming'; peer: string; callSid: string | null; conversationId: string | null }
  | { type: 'answer' }
  | { type: 'dial'; to: string; conversationId: string | null }
  | { type: 'linked'; conversationId: string; callSid: string | null }
  | { type: 'call.accepted'; at: number; callSid?: string | null }
  | { type: 'call.ended'; at: number }
  | { type: 'mute'; muted: boolean }
  | { type: 'hold'; held: boolean }
  | { type: 'digit'; digit: string }
  | { type: 'call.error'; message: string }
  | { type: 'dismiss.error' };

export const initialSoftphone: SoftphoneState = { device: 'off', call: null, error: null, lastCall: null };

export function softphoneReducer(s: SoftphoneState, e: SoftphoneEvent): SoftphoneState {
  switch (e.type) {
    case 'register.start':
      return { ...s, device: 'registering', error: null };
    case 'register.ok':
      return { ...s, device: 'ready', error: null };
    case 'register.unavailable':
      return { ...s, device: 'unavailable', error: e.reason };
    case 'device.error':
      return { ...s, device: s.call ? s.device : 'error', error: e.message };
    case 'incoming':
      // One call at a time: a second ring while busy is left to the SDK (it is rejected there).
      if (s.call || s.device !== 'ready') return s;
      return {
        ...s,
        error: null,
        call: {
          phase: 'ringing',
          direction: 'inbound',
          peer: e.peer,
          callSid: e.callSid,
          conversationId: e.conversationId,
          startedAt: null,
          muted: false,
          held: false,
          digits: '',
        },
      };
    case 'answer':
      if (s.call?.phase !== 'ringing') return s;
      return { ...s, call: { ...s.call, phase: 'connecting' } };
    case 'dial':
      if (s.call || s.device !== 'ready' || !e.to.trim()) return s;
      return {
        ...s,
        error: null,
        call: {
          phase: 'connecting',
          direction: 'outbound',
          peer: e.to.trim(),
          callSid: null,
          conversationId: e.conversationId,
          startedAt: null,
          muted: false,
          held: false,
          digits: '',
        },
      };
    case 'linked':
      // The server placed our outbound call: it now belongs to a conversation.
      if (!s.call) return s;
      return { ...s, call: { ...s.call, conversationId: e.conversationId, callSid: e.callSid ?? s.call.callSid } };
    case 'call.accepted':
      if (!s.call || s.call.phase === 'open') return s;
      return { ...s, call: { ...s.call, phase: 'open', startedAt: e.at, callSid: e.callSid ?? s.call.callSid } };
    case 'call.ended': {
      if (!s.call) return s;
      const seconds = s.call.startedAt ? Math.round((e.at - s.call.startedAt) / 1000) : 0;
      // Only a call that was answered counts as the last call.
      return { ...s, call: null, lastCall: s.call.startedAt ? { peer: s.call.peer, seconds } : s.lastCall };
    }
    case 'mute':
      if (s.call?.phase !== 'open') return s;
      return { ...s, call: { ...s.call, muted: e.muted } };
    case 'hold':
      if (s.call?.phase !== 'open') return s;
      return { ...s, call: { ...s.call, held: e.held } };
    case 'digit':
      if (s.call?.phase !== 'open' || !/^[0-9*#]$/.test(e.digit)) return s;
      return { ...s, call: { ...s.call, digits: (s.call.digits + e.digit).slice(-24) } };
    case 'call.error':
      return { ...s, error: e.message };
    case 'dismiss.error':
      return { ...s, error: null };
  }
}

/** What the panel may offer right now. */
export function softphoneActions(s: SoftphoneState) {
  const phase = s.call?.phase;
  return {
    answer: phase === 'ringing',
    reject: phase === 'ringing',
    hangup: phase === 'open' || phase === 'connecting',
    mute: phase === 'open',
    hold: phase === 'open' && !!s.call?.conversationId,
    keypad: phase === 'open',
    transfer: phase === 'open' && !!s.call?.conversationId,
    dial: s.device === 'ready' && !s.call,
  };
}

/** "mm:ss" (or "h:mm:ss") for the call timer. */
export function formatDuration(totalSeconds: number): string {
  const t = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = String(t % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${String(m).padStart(2, '0')}:${sec}`;
}

/** Turns Voice SDK / browser errors into a sentence an agent can act on. */
export function describeVoiceError(err: unknown): string {
  const e = err as { code?: number; name?: string; message?: string } | null;
  const code = e?.code;
  const name = e?.name ?? '';
  if (name === 'NotAllowedError' || code === 31401 || code === 31208 || /permission/i.test(e?.message ?? '')) {
    return i18next.t('softphone.errors.microphoneBlocked');
  }
  if (name === 'NotFoundError' || code === 31402) return i18next.t('softphone.errors.noMicrophone');
  if (code === 20101 || code === 20104 || code === 31204 || code === 31205) return i18next.t('softphone.errors.tokenRejected');
  if (code === 31005 || code === 31009 || code === 53000 || code === 31000) return i18next.t('softphone.errors.connectionLost');
  return e?.message ? i18next.t('softphone.errors.phoneError', { message: e.message }) : i18next.t('softphone.errors.phone');
}
