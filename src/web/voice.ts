import { E164 } from '../core/patterns.js';
import { i18next } from './i18n.js';
import { api, ApiError } from './api.js';
import type { TransferTarget } from './types.js';
import { describeVoiceError, type SoftphoneEvent } from './state/softphone.js';

/**
 * The boundary between the desk and the Twilio Voice SDK. The desk only uses
 * these few members; tests (and the browser end-to-end suite) replace the
 * factory so the softphone runs without reaching Twilio.
 */
export type VoiceCall = {
  parameters: Record<string, string>;
  customParameters?: Map<string, string>;
  accept(): void;
  reject(): void;
  disconnect(): void;
  mute(shouldMute?: boolean): void;
  sendDigits(digits: string): void;
  on(event: 'accept' | 'disconnect' | 'cancel' | 'reject' | 'error', listener: (arg?: any) => void): unknown;
};

export type VoiceDevice = {
  register(): Promise<void>;
  updateToken(token: string): void;
  destroy(): void;
  on(event: 'registered' | 'unregistered' | 'error' | 'incoming' | 'tokenWillExpire', listener: (arg?: any) => void): unknown;
};

export type DeviceFactory = (token: string) => Promise<VoiceDevice>;

declare global {
  interface Window {
    /** Set before the desk loads (e.g. by a test's init script) to replace the Voice SDK's Device. */
    __switchboardDeviceFactory?: DeviceFactory;
  }
}

const twilioFactory: DeviceFactory = async (token) => {
  const { Device } = await import('@twilio/voice-sdk');
  // tokenWillExpire fires 60 s before the token lapses; closeProtection asks before closing the tab mid-call.
  return new Device(token, { closeProtection: true, tokenRefreshMs: 60_000 });
};

export const deviceFactory = (): DeviceFactory => window.__switchboardDeviceFactory ?? twilioFactory;

/** "+1 (555) 010-0000" → "+15550100000"; null when it cannot be an E.164 number. */
export function toE164(input: string): string | null {
  const digits = input.replace(/[\s().-]/g, '');
  return E164.test(digits) ? digits : null;
}

/**
 * Drives one Device: fetches a token, registers, refreshes the token before it
 * expires, and turns SDK events into softphone events.
 *
 * Calls meet in a Twilio conference that Switchboard sets up: after the agent
 * accepts a voice offer (or asks for an outbound call), the server rings this
 * softphone into the conference; that "agent leg" is answered automatically.
 */
export class Phone {
  private device: VoiceDevice | null = null;
  private call: VoiceCall | null = null;
  private expected: { conversationId: string | null; peer: string | null; outbound: boolean; until: number } | null = null;
  private disposed = false;

  constructor(
    private readonly emit: (e: SoftphoneEvent) => void,
    private readonly factory: DeviceFactory = deviceFactory(),
  ) {}

  async start() {
    this.emit({ type: 'register.start' });
    let token: string;
    try {
      token = (await api.voiceToken()).token;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 503 || err.status === 404)) {
        this.emit({ type: 'register.unavailable', reason: i18next.t('softphone.errors.notConfigured') });
      } else {
        this.emit({ type: 'device.error', message: i18next.t('softphone.errors.noToken', { message: (err as Error).message }) });
      }
      return;
    }
    if (this.disposed) return;
    try {
      const device = await this.factory(token);
      this.device = device;
      device.on('registered', () => this.emit({ type: 'register.ok' }));
      device.on('unregistered', () => !this.disposed && this.emit({ type: 'register.start' }));
      device.on('error', (err) => this.emit({ type: 'device.error', message: describeVoiceError(err) }));
      device.on('tokenWillExpire', () => void this.refreshToken());
      device.on('incoming', (call: VoiceCall) => this.onIncoming(call));
      await device.register();
    } catch (err) {
      this.emit({ type: 'device.error', message: describeVoiceError(err) });
    }
  }

  private async refreshToken() {
    try {
      const { token } = await api.voiceToken();
      this.device?.updateToken(token);
    } catch (err) {
      this.emit({ type: 'device.error', message: i18next.t('softphone.errors.refreshToken', { message: (err as Error).message }) });
    }
  }

  /** The agent accepted a voice conversation: its call will ring here in a moment; answer it for them. */
  expectAgentLeg(conversationId: string, peer: string | null) {
    this.expected = { conversationId, peer, outbound: false, until: Date.now() + 45_000 };
  }

  private onIncoming(call: VoiceCall) {
    if (this.call) {
      call.reject();
      return;
    }
    const expected = this.expected && this.expected.until > Date.now() ? this.expected : null;
    this.expected = null;
    this.call = call;
    this.wire(call);
    if (expected?.outbound) {
      call.accept(); // our own outbound call: the panel already shows it
      return;
    }
    this.emit({
      type: 'incoming',
      peer: expected?.peer ?? call.parameters.From ?? i18next.t('softphone.unknownCaller'),
      callSid: call.parameters.CallSid ?? null,
      conversationId: call.customParameters?.get('conversationId') ?? expected?.conversationId ?? null,
    });
    if (expected) this.answer();
  }

  private wire(call: VoiceCall) {
    call.on('accept', () => this.emit({ type: 'call.accepted', at: Date.now(), callSid: call.parameters.CallSid ?? null }));
    const ended = () => {
      if (this.call !== call) return;
      this.call = null;
      this.emit({ type: 'call.ended', at: Date.now() });
    };
    call.on('disconnect', ended);
    call.on('cancel', ended);
    call.on('reject', ended);
    call.on('error', (err) => this.emit({ type: 'call.error', message: describeVoiceError(err) }));
  }

  answer() {
    this.emit({ type: 'answer' });
    this.call?.accept();
  }

  reject() {
    const call = this.call;
    this.call = null;
    call?.reject();
    this.emit({ type: 'call.ended', at: Date.now() });
  }

  hangup() {
    if (this.call) this.call.disconnect();
    else {
      // Still setting up an outbound call: stop waiting for its leg.
      this.expected = null;
      this.emit({ type: 'call.ended', at: Date.now() });
    }
  }

  mute(muted: boolean) {
    this.call?.mute(muted);
    this.emit({ type: 'mute', muted });
  }

  /** Hold is done by the server (the contact hears hold music in the conference). */
  async hold(conversationId: string, held: boolean) {
    try {
      await api.holdCall(conversationId, held);
      this.emit({ type: 'hold', held });
    } catch (err) {
      this.emit({
        type: 'call.error',
        message: i18next.t(held ? 'softphone.errors.hold' : 'softphone.errors.resume', { message: (err as Error).message }),
      });
    }
  }

  async transfer(conversationId: string, target: TransferTarget) {
    await api.transferCall(conversationId, target);
  }

  digit(d: string) {
    this.call?.sendDigits(d);
    this.emit({ type: 'digit', digit: d });
  }

  /** Asks Switchboard to call the contact (caller ID: the hotline); our leg then rings in and is answered. */
  async dial(to: string, conversationId: string | null) {
    const phone = toE164(to);
    if (!phone && !conversationId) {
      this.emit({ type: 'call.error', message: i18next.t('softphone.errors.format') });
      return;
    }
    this.emit({ type: 'dial', to: phone ?? to, conversationId });
    // Twilio may ring our leg before the HTTP answer arrives: expect it from now on.
    this.expected = { conversationId, peer: phone, outbound: true, until: Date.now() + 45_000 };
    try {
      const r = await api.placeCall(conversationId ? { conversationId } : { phone: phone ?? to });
      this.emit({ type: 'linked', conversationId: r.conversation.id, callSid: r.callSid });
    } catch (err) {
      this.expected = null;
      this.emit({ type: 'call.error', message: i18next.t('softphone.errors.dial', { message: (err as Error).message }) });
      this.emit({ type: 'call.ended', at: Date.now() });
    }
  }

  dispose() {
    this.disposed = true;
    this.call?.disconnect();
    this.device?.destroy();
    this.device = null;
  }
}
