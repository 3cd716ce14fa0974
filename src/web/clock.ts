/**
 * The server's clock as seen from this browser. Offers carry the server's `expiresAt`; a browser
 * whose clock runs a few seconds off would count down from 34 s for a 30 s offer. The offset is
 * measured on every socket (re)connect: the server answers `clock` with its time, and half the
 * round trip is taken as the way back (as NTP does).
 */
let offsetMs = 0;

/** Now, on the server's clock (milliseconds since the epoch). */
export const serverNow = () => Date.now() + offsetMs;

export function recordServerTime(serverMs: number, sentAt: number, receivedAt: number) {
  if (!Number.isFinite(serverMs) || receivedAt < sentAt) return;
  offsetMs = serverMs - (sentAt + receivedAt) / 2;
}

export const clockOffsetMs = () => offsetMs;
