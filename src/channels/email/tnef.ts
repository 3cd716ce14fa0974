/**
 * Outlook's TNEF (`winmail.dat`, `application/ms-tnef`): the files and the
 * body hidden inside it. Pure and bounded: it reads the attribute stream
 * with Buffer offsets and gives up (returns null) on anything malformed.
 *
 * Written here rather than taken from npm: the one TNEF package on the
 * registry (node-tnef 1.4) replaces `String.prototype.replaceAll` for the
 * whole process with a regex-based one, logs to stdout through its own
 * bunyan logger and copies the input into a JS array byte by byte.
 * Compressed RTF bodies (PR_RTF_COMPRESSED) are not decompressed: such a
 * body is reported as `rtfOnly` and the original winmail.dat stays attached.
 */
export type TnefContent = {
  files: { filename: string; contentType: string; data: Buffer }[];
  text?: string;
  html?: string;
  /** The only body is Outlook rich text, which is not decoded. */
  rtfOnly: boolean;
};

const SIGNATURE = 0x223e9f78;
const LVL_MESSAGE = 1;
const ATT_BODY = 0x800c;
const ATT_ATTACH_DATA = 0x800f;
const ATT_ATTACH_TITLE = 0x8010;
const ATT_ATTACH_REND_DATA = 0x9002;
const ATT_MAPI_PROPS = 0x9003;
const ATT_OEM_CODEPAGE = 0x9007;

const PR_BODY = 0x1000;
const PR_RTF_COMPRESSED = 0x1009;
const PR_BODY_HTML = 0x1013;
const PR_ATTACH_LONG_FILENAME = 0x3707;
const PR_ATTACH_MIME_TAG = 0x370e;

const PT_STRING8 = 0x001e;
const PT_UNICODE = 0x001f;
const PT_BINARY = 0x0102;
const PT_OBJECT = 0x000d;
const MV_FLAG = 0x1000;
const FIXED_SIZE: Record<number, number> = { 0x2: 4, 0x3: 4, 0x4: 4, 0xa: 4, 0xb: 4, 0x5: 8, 0x6: 8, 0x7: 8, 0x14: 8, 0x40: 8, 0x48: 16 };

export function isTnef(data: Buffer): boolean {
  return data.length >= 6 && data.readUInt32LE(0) === SIGNATURE;
}

export function decodeTnef(data: Buffer): TnefContent | null {
  if (!isTnef(data)) return null;
  try {
    let offset = 6;
    let codepage = 1252;
    const files: { filename?: string; contentType?: string; data?: Buffer }[] = [];
    let text: string | undefined;
    let html: string | undefined;
    let rtf = false;
    while (offset + 9 <= data.length) {
      const level = data.readUInt8(offset);
      const name = data.readUInt16LE(offset + 1);
      const length = data.readUInt32LE(offset + 5);
      const start = offset + 9;
      if (start + length + 2 > data.length) return null;
      const value = data.subarray(start, start + length);
      offset = start + length + 2; // the 2-byte checksum is not checked: a bad one still carries the bytes
      const current = files[files.length - 1];
      if (name === ATT_OEM_CODEPAGE && length >= 4) codepage = value.readUInt32LE(0);
      else if (name === ATT_ATTACH_REND_DATA) files.push({});
      else if (name === ATT_ATTACH_TITLE && current) current.filename ??= cString(value, codepage);
      else if (name === ATT_ATTACH_DATA && current) current.data = Buffer.from(value);
      else if (name === ATT_BODY && level === LVL_MESSAGE) text ??= cString(value, codepage);
      else if (name === ATT_MAPI_PROPS) {
        for (const p of mapiProps(value, codepage)) {
          if (level === LVL_MESSAGE) {
            if (p.id === PR_BODY && typeof p.value === 'string') text = p.value;
            else if (p.id === PR_BODY_HTML) html = typeof p.value === 'string' ? p.value : p.value.toString('utf8');
            else if (p.id === PR_RTF_COMPRESSED) rtf = true;
          } else if (current) {
            if (p.id === PR_ATTACH_LONG_FILENAME && typeof p.value === 'string') current.filename = p.value;
            else if (p.id === PR_ATTACH_MIME_TAG && typeof p.value === 'string') current.contentType = p.value;
          }
        }
      }
    }
    return {
      files: files
        .filter((f) => f.data)
        .map((f, i) => ({
          filename: f.filename?.trim() || `winmail-attachment-${i + 1}.bin`,
          contentType: f.contentType || 'application/octet-stream',
          data: f.data!,
        })),
      text: text?.replace(/\0+$/, '') || undefined,
      html: html?.replace(/\0+$/, '') || undefined,
      rtfOnly: rtf && !text && !html,
    };
  } catch {
    return null;
  }
}

type MapiProp = { id: number; value: string | Buffer };

/** A MAPI property block: count, then (type, id, [named-property header], value) each, 4-byte aligned. */
function mapiProps(data: Buffer, codepage: number): MapiProp[] {
  const out: MapiProp[] = [];
  const count = data.readUInt32LE(0);
  let o = 4;
  for (let n = 0; n < count && o + 4 <= data.length; n++) {
    const type = data.readUInt16LE(o);
    const id = data.readUInt16LE(o + 2);
    o += 4;
    if (id >= 0x8000) {
      // A named property: GUID, then a numeric id or a UTF-16 name.
      const kind = data.readUInt32LE(o + 16);
      o += 20;
      if (kind === 0) o += 4;
      else {
        const len = data.readUInt32LE(o);
        o += 4 + len + (-len & 3);
      }
    }
    const base = type & ~MV_FLAG;
    const variable = base === PT_STRING8 || base === PT_UNICODE || base === PT_BINARY || base === PT_OBJECT;
    if (!variable && !(type & MV_FLAG)) {
      o += Math.max(4, FIXED_SIZE[base] ?? 4);
      continue;
    }
    const values = data.readUInt32LE(o);
    o += 4;
    for (let v = 0; v < values; v++) {
      const len = variable ? data.readUInt32LE(o) : (FIXED_SIZE[base] ?? 4);
      if (variable) o += 4;
      const raw = data.subarray(o, o + len);
      o += len + (-len & 3);
      if (v > 0) continue;
      if (base === PT_UNICODE) out.push({ id, value: raw.toString('utf16le').replace(/\0+$/, '') });
      else if (base === PT_STRING8) out.push({ id, value: cString(raw, codepage) });
      else if (variable) out.push({ id, value: Buffer.from(raw) });
    }
  }
  return out;
}

/** A NUL-terminated 8-bit string in the message's code page (Latin-1 decoding for the Western ones). */
function cString(b: Buffer, codepage: number): string {
  const end = b.indexOf(0);
  const bytes = end >= 0 ? b.subarray(0, end) : b;
  if (codepage === 65001) return bytes.toString('utf8');
  try {
    return new TextDecoder(`windows-${codepage}`).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}
