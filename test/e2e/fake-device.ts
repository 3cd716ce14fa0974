/**
 * A stand-in for @twilio/voice-sdk's Device, injected into the page before the
 * desk loads (window.__switchboardDeviceFactory). It cannot reach Twilio; it
 * records what the desk asked of it in window.__fakeVoice.log and lets the
 * test ring, accept, drop and fail calls.
 */
export const FAKE_DEVICE_SCRIPT = `
(() => {
  class Emitter {
    constructor() { this.handlers = {}; }
    on(e, f) { (this.handlers[e] = this.handlers[e] || []).push(f); return this; }
    emit(e, ...a) { for (const f of this.handlers[e] || []) f(...a); }
  }
  const fake = { device: null, calls: [], log: [], tokens: [] };
  window.__fakeVoice = fake;
  class FakeCall extends Emitter {
    constructor(parameters, custom) { super(); this.parameters = parameters; this.customParameters = new Map(Object.entries(custom || {})); }
    accept() { fake.log.push('accept'); setTimeout(() => this.emit('accept', this), 50); }
    reject() { fake.log.push('reject'); }
    disconnect() { fake.log.push('disconnect'); setTimeout(() => this.emit('disconnect', this), 10); }
    mute(m) { fake.log.push('mute:' + m); }
    sendDigits(d) { fake.log.push('digits:' + d); }
  }
  class FakeDevice extends Emitter {
    constructor(token) { super(); fake.tokens.push(token); fake.device = this; }
    async register() { fake.log.push('register'); setTimeout(() => this.emit('registered'), 20); }
    async connect({ params }) {
      fake.log.push('connect:' + params.To);
      const call = new FakeCall({ To: params.To, CallSid: 'CA' + '0'.repeat(31) + '2' }, {});
      fake.calls.push(call);
      setTimeout(() => call.emit('accept', call), 150);
      return call;
    }
    updateToken(t) { fake.tokens.push(t); fake.log.push('updateToken'); }
    destroy() { fake.log.push('destroy'); }
  }
  fake.ring = (from, custom) => {
    const call = new FakeCall({ From: from, CallSid: 'CA' + '0'.repeat(31) + '1' }, custom);
    fake.calls.push(call);
    fake.device.emit('incoming', call);
  };
  fake.last = () => fake.calls[fake.calls.length - 1];
  window.__switchboardDeviceFactory = async (token) => new FakeDevice(token);
})();
`;
