/**
 * A real, playable MP3 of silence: MPEG-1 Layer III frames, 32 kbit/s, 32 kHz, mono (header
 * FF FB 18 C0; 144 bytes and 1152 samples = 36 ms a frame) whose side information and main data
 * are all zero, which decoders play as silence. Browsers read its duration from the frame count.
 */
export function silentMp3(seconds: number): Buffer {
  const frames = Math.ceil((seconds * 32000) / 1152);
  const frame = Buffer.alloc(144);
  frame.set([0xff, 0xfb, 0x18, 0xc0]);
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}
