import type { Offer } from './types.js';
import { channelLabel, contactLabel } from './format.js';

let audio: AudioContext | null = null;

/** A short two-tone chime through WebAudio (no audio file to ship or load). */
export function chime() {
  try {
    audio ??= new AudioContext();
    const now = audio.currentTime;
    for (const [i, freq] of [880, 1175].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      const t = now + i * 0.18;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.25, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.16);
      osc.connect(gain).connect(audio.destination);
      osc.start(t);
      osc.stop(t + 0.17);
    }
  } catch {
    /* no audio device: the toast still shows */
  }
}

/** Asks for notification permission; call from a click (browsers require a gesture). */
export function askNotificationPermission() {
  // Declining (or a browser that will not ask) leaves offers to ring in the page: nothing to tell the agent.
  if ('Notification' in window && Notification.permission === 'default') Notification.requestPermission().catch(() => undefined);
  // Unlock audio on the same gesture; without an audio device the toast still shows.
  try {
    audio ??= new AudioContext();
    audio.resume().catch(() => undefined);
  } catch {
    /* no audio device: the toast still shows */
  }
}

export function notifyOffer(offer: Offer, onClick: () => void) {
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  try {
    const n = new Notification(`New ${channelLabel(offer.channel)} · ${offer.queue}`, {
      body: contactLabel(offer.contact),
      tag: offer.reservationId,
      requireInteraction: true,
    });
    n.onclick = () => {
      window.focus();
      onClick();
      n.close();
    };
  } catch {
    /* some browsers only allow notifications from a service worker */
  }
}
