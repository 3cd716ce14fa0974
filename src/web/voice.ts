import { api, ApiError, request } from './api.js';
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
  connect(opts: { params: Record<string, string> }): Promise<VoiceCall>;
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
  // Refresh the token 60 s before it lapses (tokenWillExpire), and keep calls up on a page close prompt.
  return new Device(token, { closeProtection: true, tokenRefreshMs: 60_000 }) as unknown as VoiceDevice;
};

export const deviceFactory = (): DeviceFactory => window.__switchboardDeviceFactory ?? twilioFactory;

/**
 * Drives one Device: fetches a token, registers, refreshes the token before it
 * expires, and turns SDK events into softphone events.
 */
export class Phone {
  private device: VoiceDevice | null = null;
  private call: VoiceCall | null = null;
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
        this.emit({ type: 'register.unavailable', reason: 'Voice is not configured on this Switchboard.' });
      } else {
        this.emit({ type: 'device.error', message: err instanceof Error ? `Could not get a voice token: ${err.message}` : 'Could not get a voice token' });
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
      this.emit({ type: 'device.error', message: `Could not refresh the voice token: ${(err as Error).message}` });
    }
  }

  private onIncoming(call: VoiceCall) {
    if (this.call) {
      call.reject();
      return;
    }
    this.call = call;
    this.wire(call);
    this.emit({
      type: 'incoming',
      peer: call.parameters.From ?? 'Unknown caller',
      callSid: call.parameters.CallSid ?? null,
      conversationId: call.customParameters?.get('conversationId') ?? null,
    });
  }

  private wire(call: VoiceCall) {
    call.on('accept', () => this.emit({ type: 'call.accepted', at: Date.now(), callSid: call.parameters.CallSid ?? null }));
    const ended = () => {
      if (this.call === call) this.call = null;
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
    this.call?.disconnect();
  }

  mute(muted: boolean) {
    this.call?.mute(muted);
    this.emit({ type: 'mute', muted });
  }

  /** Hold is done by the server (the caller hears hold music); the SDK alone cannot hold. */
  async hold(callSid: string | null, held: boolean) {
    if (!callSid) return this.emit({ type: 'call.error', message: 'Hold is not available for this call yet.' });
    try {
      await request('POST', `/api/voice/calls/${encodeURIComponent(callSid)}/hold`, { hold: held });
      this.emit({ type: 'hold', held });
    } catch (err) {
      this.emit({ type: 'call.error', message: `Could not ${held ? 'hold' : 'resume'} the call: ${(err as Error).message}` });
    }
  }

  digit(d: string) {
    this.call?.sendDigits(d);
    this.emit({ type: 'digit', digit: d });
  }

  async dial(to: string, conversationId: string | null) {
    if (!this.device) return;
    this.emit({ type: 'dial', to, conversationId });
    try {
      const call = await this.device.connect({ params: { To: to, ...(conversationId ? { conversationId } : {}) } });
      this.call = call;
      this.wire(call);
    } catch (err) {
      this.emit({ type: 'call.error', message: describeVoiceError(err) });
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
